package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.EvalSplit;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.predict.Labeller;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The scores a MaskDistill round reports, computed one image at a time: a network on the val split at the stored
 * resolution (predicted at the working size, docs/methods.md §3.6's final evaluation), and a folder of training label
 * maps against the split's ground truth (the diagnostic {@code gen_segmentation.py} prints for its pseudo maps).
 */
final class RoundScores {
    /** A score and the images it covers; {@code missing}: images without a usable map and ground truth. */
    record Score(double miou, int images, int missing) {}

    private RoundScores() {}

    static double val(Module network, EvalSplit val, int classes, Miou.Matching matching) {
        network.eval();
        Confusion c = new Confusion(classes, 255);
        for (int i = 0; i < val.count(); i++) {
            Sample s = val.original().get(i);
            c.add(Labeller.labels(network::forward, s, val.workingSize(), null), labels(s));
        }
        return Miou.evaluate(c, matching).miou();
    }

    static Score labelMaps(VocDataset voc, String split, Path maps, int classes, Miou.Matching matching) throws IOException {
        Confusion c = new Confusion(classes, 255);
        Path gtDir = voc.labelDir(split);
        int used = 0, missing = 0;
        List<String> ids = voc.ids(split);
        for (String id : ids) {
            Path m = maps.resolve(id + ".png"), g = gtDir.resolve(id + ".png");
            if (!Files.exists(m) || !Files.exists(g)) {
                missing++;
                continue;
            }
            try {
                LabelMaps.LabelMap pm = LabelMaps.read(m), gm = LabelMaps.read(g);
                if (pm.width() != gm.width() || pm.height() != gm.height()) {
                    missing++; // reported when the training set was opened
                    continue;
                }
                c.add(pm.labels(), gm.labels());
                used++;
            } catch (IOException | IllegalArgumentException e) {
                missing++; // an unusable map or ground truth: the training set opening reported the maps already
            }
        }
        return new Score(used == 0 ? Double.NaN : Miou.evaluate(c, matching).miou(), used, missing);
    }

    private static int[] labels(Sample s) {
        int[] gt = new int[s.mask().length];
        for (int q = 0; q < gt.length; q++) gt[q] = s.mask()[q] & 255;
        return gt;
    }
}
