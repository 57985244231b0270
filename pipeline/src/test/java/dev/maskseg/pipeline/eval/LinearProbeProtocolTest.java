package dev.maskseg.pipeline.eval;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.SmallSegmenter;
import dev.maskseg.zoo.deeplab.SegmentationModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe replaces a segmenter's last layer ("head.4"), and the protocol keeps the best val epoch, scored at the stored size. */
class LinearProbeProtocolTest {
    @TempDir
    Path tmp;

    /** With the last layer's own weights the probe on {@link FrozenFeatures} gives the model's logits: the features are head.0..3's output. */
    @Test
    void theProbeReplacesTheLastLayerOfADeepLabAndOfTheSmallSegmenter() {
        Tensor x = Tensor.randn(new Generator(3), 1, 3, 24, 40);
        SegmentationModel deeplab = SegmentationModel.deeplabv3(3, new Generator(1));
        assertEquals(256, FrozenFeatures.of(deeplab).channels(), "head.4 is 256 -> classes");
        sameAsTheModel(deeplab, (Conv2d) deeplab.head.get(4), x);
        SmallSegmenter small = new SmallSegmenter(8, 5, new Generator(2));
        assertEquals(8, FrozenFeatures.of(small).channels());
        sameAsTheModel(small, small.classifier.conv, x);
    }

    /** A ResNet backbone runs frozen for inference (batch norms folded): the same features as the eval-mode model. */
    @Test
    void aMaskContrastResNetBackboneGivesTheEvalFeatures() {
        var model = (dev.maskseg.zoo.maskcontrast.MaskContrastModel) dev.maskseg.zoo.Models.create("maskcontrast_resnet50", 1).module();
        Tensor x = Tensor.randn(new Generator(3), 1, 3, 32, 40);
        model.eval();
        float[] want;
        try (var ng = GradMode.noGrad()) {
            want = model.features(x).contiguous().toFloatArray();
        }
        float[] got = FrozenFeatures.of(model).of(x).toFloatArray();
        float scale = 1;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        assertArrayEquals(want, got, 2e-5f * scale);
    }

    private static void sameAsTheModel(Module model, Conv2d last, Tensor x) {
        model.eval();
        LinearProbe probe = new LinearProbe(last.weight.size(1), last.weight.size(0), new Generator(0));
        try (var ng = GradMode.noGrad()) {
            probe.conv.weight.copy_(last.weight);
            probe.conv.bias.copy_(last.bias);
            float[] want = model.forward(x).contiguous().toFloatArray();
            float[] got = probe.forward(FrozenFeatures.of(model).of(x), x.size(2), x.size(3)).contiguous().toFloatArray();
            assertArrayEquals(want, got, 1e-4f);
        }
    }

    @Test
    void theBestValEpochIsKeptAndScoredAtTheStoredSize() throws Exception {
        SyntheticScenes.write(tmp, 20, 40, 5);
        VocDataset voc = new VocDataset(tmp, true, m -> {});
        EvalSplit train = EvalSplit.load(voc, "train", 24), val = EvalSplit.load(voc, "val", 24);
        SmallSegmenter model = new SmallSegmenter(8, 5, new Generator(4));
        LinearProbeProtocol.Recipe recipe = new LinearProbeProtocol.Recipe(4, 8, 0.1, 1, false, true);
        LinearProbeProtocol.Result best = LinearProbeProtocol.run(model, train, val, 5, recipe, null, 7, StageListener.NONE);
        int argmax = 0;
        for (int e = 1; e < 4; e++) if (best.onlineMiou()[e] > best.onlineMiou()[argmax]) argmax = e;
        assertEquals(argmax, best.selectedEpoch(), "the first epoch with the best online val mIoU");
        long stored = 0;
        for (Sample s : val.original()) for (byte b : s.mask()) stored += (b & 255) != 255 ? 1 : 0;
        assertEquals(stored, best.scoredPixels(), "scored at 40x40, not at the working 24x24");

        List<int[]> maps = new ArrayList<>();
        FrozenFeatures f = FrozenFeatures.of(model);
        for (Sample s : val.original()) {
            maps.add(dev.maskseg.pipeline.predict.Labeller.labels(t -> best.probe().forward(f.of(t), t.size(2), t.size(3)), s, 24, null));
        }
        assertEquals(Miou.evaluate(val.originalConfusion(maps, 5), Miou.Matching.NONE).miou(), best.val().miou(), 1e-12, "the result is the selected probe's");

        LinearProbeProtocol.Result last = LinearProbeProtocol.run(model, train, val, 5,
                new LinearProbeProtocol.Recipe(4, 8, 0.1, 1, false, false), null, 7, StageListener.NONE);
        assertEquals(3, last.selectedEpoch());
        assertArrayEquals(best.onlineMiou(), last.onlineMiou(), 0, "same training either way");
        assertTrue(best.val().miou() >= 0 && best.val().miou() <= 1);
    }
}
