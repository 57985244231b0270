package dev.maskseg.pipeline;

import dev.maskseg.engine.Tensor;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.LinearProbes;
import dev.maskseg.zoo.LinearProbe;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The linear probe learns a linearly separable labelling (features = noisy one-hot of the labels). */
class ProbeTest {
    @Test
    void probeLearnsSeparableFeatures() throws Exception {
        Random r = new Random(1);
        int classes = 3, h = 8, w = 8;
        List<Sample> samples = new ArrayList<>();
        List<Tensor> feats = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            byte[] lab = new byte[h * w];
            int c = 1 + r.nextInt(classes - 1);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) lab[y * w + x] = (byte) (x < w / 2 ? 0 : c);
            float[] f = new float[classes * h * w];
            for (int q = 0; q < h * w; q++) f[lab[q] * h * w + q] = 1;
            for (int k = 0; k < f.length; k++) f[k] += 0.1f * (float) r.nextGaussian();
            samples.add(new Sample(new float[3 * h * w], lab, w, h));
            feats.add(Tensor.of(f, 1, classes, h, w));
        }
        LinearProbe p = LinearProbes.train(feats, samples, classes, new LinearProbes.Schedule(20, 4, 0.1, 8), 3);
        double miou = Miou.evaluate(Confusion.of(LinearProbes.predict(p, feats, samples, null), samples, classes), Miou.Matching.NONE).miou();
        assertTrue(miou > 0.95, "probe mIoU " + miou);
    }
}
