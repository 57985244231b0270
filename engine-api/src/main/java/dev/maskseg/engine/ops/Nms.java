package dev.maskseg.engine.ops;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy non-maximum suppression, plain and per class (docs/methods.md §3.4). NMS is sequential and data-dependent, so
 * it runs on the host over the downloaded boxes (at most a few thousand, e.g. RPN's 6000 pre-NMS proposals): any
 * backend gives the same result, and the kept indices come back as an INT64 tensor on the boxes' backend.
 *
 * <p>Order: by descending score, ties by the lower index (docs/design.md §4). A box is suppressed when its IoU with a
 * kept, higher-ranked box is strictly above the threshold. IoU is torchvision's: inter / (area_i + area_j − inter),
 * without a guard (two empty boxes give 0/0, which never suppresses), computed in float32 for float32 boxes.
 */
public final class Nms {
    private Nms() {}

    /** Kept indices of boxes [N,4] with scores [N], in rank order. */
    public static Tensor nms(Tensor boxes, Tensor scores, double iouThreshold) {
        check("nms", boxes, scores);
        long[] keep = nms(coords(boxes), scores(scores), boxes.dtype() == DType.FLOAT32, iouThreshold);
        return Tensor.ofLongs(keep, keep.length).to(boxes.backend());
    }

    /**
     * NMS within each group (e.g. class) independently, exactly: no coordinate offsets between groups. The union of the
     * kept indices, by descending score, ties by the lower index.
     */
    public static Tensor batchedNms(Tensor boxes, Tensor scores, Tensor groups, double iouThreshold) {
        check("batched_nms", boxes, scores);
        if (groups.dim() != 1 || groups.size(0) != boxes.size(0) || groups.dtype().isFloating()) {
            throw new IllegalArgumentException("batched_nms: groups must be an integer [N] tensor for boxes " + boxes.shapeString()
                    + ", got " + groups.dtype() + " " + groups.shapeString());
        }
        long[] keep = batchedNms(coords(boxes), scores(scores), groups.toLongArray(), boxes.dtype() == DType.FLOAT32, iouThreshold);
        return Tensor.ofLongs(keep, keep.length).to(boxes.backend());
    }

    private static void check(String op, Tensor boxes, Tensor scores) {
        Boxes.check(op, boxes);
        if (scores.dim() != 1 || scores.size(0) != boxes.size(0) || !scores.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": scores must be a floating [N] tensor for boxes " + boxes.shapeString()
                    + ", got " + scores.dtype() + " " + scores.shapeString());
        }
    }

    private static double[] coords(Tensor boxes) { return boxes.toDoubleArray(); }

    private static double[] scores(Tensor scores) { return scores.toDoubleArray(); }

    /** Indices 0..n−1 by descending score, ties by the lower index (a stable sort). */
    public static int[] rankOrder(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        int[] out = new int[order.length];
        for (int i = 0; i < out.length; i++) out[i] = order[i];
        return out;
    }

    private static double r(double v, boolean single) { return single ? (float) v : v; }

    /** Greedy NMS over host coordinates [N*4] (x1, y1, x2, y2 per row); single: float32 arithmetic. */
    public static long[] nms(double[] box, double[] score, boolean single, double iouThreshold) {
        int n = score.length;
        double[] area = new double[n];
        for (int i = 0; i < n; i++) {
            area[i] = r(r(box[4 * i + 2] - box[4 * i], single) * r(box[4 * i + 3] - box[4 * i + 1], single), single);
        }
        boolean[] suppressed = new boolean[n];
        int[] order = rankOrder(score);
        long[] keep = new long[n];
        int kept = 0;
        for (int oi = 0; oi < n; oi++) {
            int i = order[oi];
            if (suppressed[i]) continue;
            keep[kept++] = i;
            for (int oj = oi + 1; oj < n; oj++) {
                int j = order[oj];
                if (suppressed[j]) continue;
                double w = Math.max(0, r(Math.min(box[4 * i + 2], box[4 * j + 2]) - Math.max(box[4 * i], box[4 * j]), single));
                double h = Math.max(0, r(Math.min(box[4 * i + 3], box[4 * j + 3]) - Math.max(box[4 * i + 1], box[4 * j + 1]), single));
                double inter = r(w * h, single);
                double iou = r(inter / r(r(area[i] + area[j], single) - inter, single), single);
                if (iou > iouThreshold) suppressed[j] = true;
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    /** Per-group NMS over host arrays; see {@link #batchedNms(Tensor, Tensor, Tensor, double)}. */
    public static long[] batchedNms(double[] box, double[] score, long[] group, boolean single, double iouThreshold) {
        Map<Long, List<Integer>> members = new LinkedHashMap<>();
        for (int i = 0; i < group.length; i++) members.computeIfAbsent(group[i], g -> new ArrayList<>()).add(i);
        List<Integer> kept = new ArrayList<>();
        for (List<Integer> idx : members.values()) {
            double[] b = new double[4 * idx.size()], s = new double[idx.size()];
            for (int m = 0; m < idx.size(); m++) {
                System.arraycopy(box, 4 * idx.get(m), b, 4 * m, 4);
                s[m] = score[idx.get(m)];
            }
            for (long k : nms(b, s, single, iouThreshold)) kept.add(idx.get((int) k));
        }
        kept.sort((a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));
        long[] out = new long[kept.size()];
        for (int i = 0; i < out.length; i++) out[i] = kept.get(i);
        return out;
    }
}
