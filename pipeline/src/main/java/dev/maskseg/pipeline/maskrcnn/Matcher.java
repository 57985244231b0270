package dev.maskseg.pipeline.maskrcnn;

import java.util.Arrays;

/**
 * detectron2's {@code Matcher} (docs/methods.md §3.4): each prediction (anchor or proposal) is matched to the ground truth
 * of highest IoU (ties: the lower ground-truth index) and labelled by the bin of that IoU, bins {@code [-inf, t1), [t1, t2),
 * ..., [tk, +inf)} (lower bound inclusive, thresholds compared in float32 as torch compares a float32 tensor with a
 * Python number). With low-quality matches (the RPN's), every prediction that reaches a ground truth's highest IoU
 * (all ties, even an IoU of 0) gets the last label and keeps its own arg-max match. Without ground truth every
 * prediction gets the first label and match 0.
 *
 * @param thresholds ascending IoU thresholds (RPN 0.3, 0.7; RoI heads 0.5)
 * @param labels     one label per bin, thresholds.length + 1 of them (RPN 0, -1, 1; RoI heads 0, 1)
 */
public record Matcher(double[] thresholds, int[] labels, boolean allowLowQualityMatches) {
    /** The RPN's matcher: IoU 0.3 / 0.7, labels background / ignore / foreground, low-quality matches on. */
    public static Matcher rpn() { return new Matcher(new double[]{0.3, 0.7}, new int[]{0, -1, 1}, true); }

    /** The RoI heads' matcher: IoU 0.5, labels background / foreground. */
    public static Matcher roiHeads() { return new Matcher(new double[]{0.5}, new int[]{0, 1}, false); }

    /** For each prediction, the matched ground-truth index and its label. */
    public record Matches(int[] matched, int[] labels) {}

    public Matcher {
        thresholds = thresholds.clone();
        labels = labels.clone();
        if (labels.length != thresholds.length + 1) {
            throw new IllegalArgumentException("matcher: " + thresholds.length + " thresholds need " + (thresholds.length + 1) + " labels, got " + labels.length);
        }
        for (int i = 1; i < thresholds.length; i++) {
            if (thresholds[i] < thresholds[i - 1]) throw new IllegalArgumentException("matcher: thresholds must ascend, got " + Arrays.toString(thresholds));
        }
    }

    /**
     * @param iou row-major [gts, predictions] IoU matrix (pairwise IoU of ground truth and predictions)
     */
    public Matches match(float[] iou, int gts, int predictions) {
        if (iou.length != (long) gts * predictions) {
            throw new IllegalArgumentException("matcher: IoU matrix of " + iou.length + " values for " + gts + " x " + predictions);
        }
        int[] matched = new int[predictions], label = new int[predictions];
        if (gts == 0) {
            Arrays.fill(label, labels[0]);
            return new Matches(matched, label);
        }
        float[] best = new float[predictions];
        for (int p = 0; p < predictions; p++) {
            float v = iou[p];
            int arg = 0;
            for (int g = 1; g < gts; g++) {
                if (iou[g * predictions + p] > v) {
                    v = iou[g * predictions + p];
                    arg = g;
                }
            }
            best[p] = v;
            matched[p] = arg;
            int bin = 0;
            while (bin < thresholds.length && v >= (float) thresholds[bin]) bin++;
            label[p] = labels[bin];
        }
        if (allowLowQualityMatches) {
            for (int g = 0; g < gts; g++) {
                float top = Float.NEGATIVE_INFINITY;
                for (int p = 0; p < predictions; p++) top = Math.max(top, iou[g * predictions + p]);
                for (int p = 0; p < predictions; p++) if (iou[g * predictions + p] == top) label[p] = labels[labels.length - 1];
            }
        }
        return new Matches(matched, label);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matcher m && Arrays.equals(m.thresholds, thresholds) && Arrays.equals(m.labels, labels) && m.allowLowQualityMatches == allowLowQualityMatches;
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(thresholds) + Arrays.hashCode(labels) + (allowLowQualityMatches ? 1 : 0); }

    @Override
    public String toString() { return "Matcher" + Arrays.toString(thresholds) + Arrays.toString(labels) + (allowLowQualityMatches ? "+lowq" : ""); }
}
