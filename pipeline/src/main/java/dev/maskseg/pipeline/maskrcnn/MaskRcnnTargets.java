package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.Boxes;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Matching;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Which anchors and RoIs one image's losses use (docs/methods.md §3.4): anchors matched to the ground truth (IoU 0.3 /
 * 0.7, low-quality matches on) and a sample of at most {@code rpnBatch} of them, at most a {@code rpnPositiveFraction}
 * positive; proposals with the ground-truth boxes appended, matched at IoU 0.5, each labelled with its ground truth's
 * class or background (C), and a sample of at most {@code roiBatch}, at most a {@code roiPositiveFraction} foreground,
 * foreground first. The draws come from the given random sources (the trainer derives them from seed, iteration and
 * image), so a resumed run draws the same samples.
 */
public final class MaskRcnnTargets {
    private MaskRcnnTargets() {}

    /** Sampled anchors (positives, negatives) and every anchor's matched ground truth. */
    public record Rpn(int[] positives, int[] negatives, int[] matched) {}

    /**
     * Sampled RoIs, foreground first: their boxes [S, 4], classes (C = background), matched ground-truth boxes [S, 4]
     * (of ground truth 0 on background rows, unused), and for the {@code foreground} first rows the matched ground truth.
     */
    public record Roi(Tensor boxes, int[] classes, Tensor gtBoxes, int foreground, int[] matched) {}

    public static Rpn rpn(Tensor anchors, Tensor gtBoxes, int batch, double positiveFraction, SplittableRandom random) {
        try (var ng = GradMode.noGrad()) {
            Matching.Result m = Matching.match(Boxes.pairwiseIou(gtBoxes, anchors), new double[]{0.3, 0.7}, new int[]{0, -1, 1}, true);
            LabelSampling.Sample s = LabelSampling.sample(ints(m.labels()), batch, positiveFraction, 0, random);
            return new Rpn(s.positives(), s.negatives(), ints(m.matches()));
        }
    }

    /**
     * @param proposals the image's RPN proposals [R, 4] (training mode, detached)
     * @param gtClasses class of each ground truth (0..C-1)
     */
    public static Roi roi(Tensor proposals, Tensor gtBoxes, int[] gtClasses, int numClasses, int batch, double positiveFraction, SplittableRandom random) {
        try (var ng = GradMode.noGrad()) {
            Tensor all = Index.cat(List.of(proposals.detach(), gtBoxes.to(proposals.dtype())), 0);
            int n = all.size(0), g = gtBoxes.size(0);
            int[] labels = new int[n], matched;
            if (g == 0) {
                java.util.Arrays.fill(labels, numClasses);
                matched = new int[n];
            } else {
                Matching.Result m = Matching.match(Boxes.pairwiseIou(gtBoxes, all), new double[]{0.5}, new int[]{0, 1}, false);
                int[] fg = ints(m.labels());
                matched = ints(m.matches());
                for (int i = 0; i < n; i++) labels[i] = fg[i] == 1 ? gtClasses[matched[i]] : fg[i] == 0 ? numClasses : -1;
            }
            int[] sampled = LabelSampling.sample(labels, batch, positiveFraction, numClasses, random).all();
            long[] rows = new long[sampled.length], gts = new long[sampled.length];
            int[] classes = new int[sampled.length];
            int foreground = 0;
            for (int i = 0; i < sampled.length; i++) {
                rows[i] = sampled[i];
                gts[i] = matched[sampled[i]];
                classes[i] = labels[sampled[i]];
                if (classes[i] != numClasses) foreground++;
            }
            int[] fgMatched = new int[foreground];
            for (int i = 0; i < foreground; i++) fgMatched[i] = matched[sampled[i]];
            Tensor idx = Tensor.ofLongs(rows, rows.length).to(all.backend());
            Tensor gtRows = g == 0 ? Tensor.zeros(sampled.length, 4).to(all.backend()) : Index.indexSelect(gtBoxes, 0, Tensor.ofLongs(gts, gts.length).to(all.backend()));
            return new Roi(Index.indexSelect(all, 0, idx), classes, gtRows, foreground, fgMatched);
        }
    }

    static int[] ints(Tensor t) {
        long[] l = t.toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = (int) l[i];
        return out;
    }
}
