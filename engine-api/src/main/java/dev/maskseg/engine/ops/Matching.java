package dev.maskseg.engine.ops;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;

/**
 * detectron2's Matcher (docs/methods.md §3.4): each prediction (column of an IoU matrix [G, P]) takes the ground truth
 * of highest IoU (ties: the lower index) and a label from the bins [−inf, t1), [t1, t2), …, [tk, +inf); with
 * low-quality matches, every prediction that reaches some ground truth's highest IoU (all ties, even 0) is labelled 1.
 * Without ground truth every prediction gets labels[0] and match 0. Runs on the host; float32 matrices compare in
 * float32 (the thresholds rounded as PyTorch rounds a scalar).
 */
public final class Matching {
    private Matching() {}

    /** matches and labels, INT64 [P] each. */
    public record Result(Tensor matches, Tensor labels) {}

    public static Result match(Tensor iou, double[] thresholds, int[] labels, boolean allowLowQuality) {
        if (iou.dim() != 2 || !iou.dtype().isFloating()) {
            throw new IllegalArgumentException("match: the quality matrix must be a floating [G, P] tensor, got " + iou.dtype() + " " + iou.shapeString());
        }
        if (labels.length != thresholds.length + 1) {
            throw new IllegalArgumentException("match: " + thresholds.length + " thresholds need " + (thresholds.length + 1) + " labels, got " + labels.length);
        }
        for (int i = 1; i < thresholds.length; i++) {
            if (thresholds[i] < thresholds[i - 1]) throw new IllegalArgumentException("match: thresholds must be ascending");
        }
        boolean single = iou.dtype() == DType.FLOAT32;
        int g = iou.size(0), p = iou.size(1);
        double[] q = iou.toDoubleArray();
        long[] matches = new long[p], out = new long[p];
        for (int j = 0; j < p; j++) {
            if (g == 0) {
                out[j] = labels[0];
                continue;
            }
            int best = 0;
            for (int i = 1; i < g; i++) if (q[i * p + j] > q[best * p + j]) best = i;
            matches[j] = best;
            double v = q[best * p + j];
            int bin = 0;
            while (bin < thresholds.length && v >= (single ? (float) thresholds[bin] : thresholds[bin])) bin++;
            out[j] = labels[bin];
        }
        if (allowLowQuality && g > 0 && p > 0) {
            for (int i = 0; i < g; i++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < p; j++) best = Math.max(best, q[i * p + j]);
                for (int j = 0; j < p; j++) if (q[i * p + j] == best) out[j] = 1;
            }
        }
        return new Result(Tensor.ofLongs(matches, p).to(iou.backend()), Tensor.ofLongs(out, p).to(iou.backend()));
    }
}
