package dev.maskseg.engine.ops;

import dev.maskseg.engine.Tensor;

import java.util.List;

/**
 * Boxes as [R, 4] tensors (x1, y1, x2, y2), detectron2's {@code Boxes} and {@code Box2BoxTransform} (docs/methods.md
 * §3.4) written as tensor ops, so they run on every backend and keep their inputs' dtype; every division is a true
 * division, in the order detectron2 writes it, so that float32 results round as detectron2's do.
 */
public final class Boxes {
    /** detectron2's scale clamp of the size deltas: ln(1000 / 16). */
    public static final double SCALE_CLAMP = Math.log(1000.0 / 16);

    private Boxes() {}

    private static Tensor col(Tensor boxes, int i) { return boxes.select(boxes.dim() - 1, i); }

    private static Tensor divBy(Tensor t, double s) { return t.div(Tensor.full(t.dtype(), s, 1).to(t.backend())); }

    static void check(String op, Tensor boxes) {
        if (boxes.dim() != 2 || boxes.size(1) != 4 || !boxes.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": boxes must be a floating [R,4] tensor (x1, y1, x2, y2), got "
                    + boxes.dtype() + " " + boxes.shapeString());
        }
    }

    /** (x2 − x1)·(y2 − y1) → [R]. */
    public static Tensor area(Tensor boxes) {
        check("box_area", boxes);
        return col(boxes, 2).sub(col(boxes, 0)).mul(col(boxes, 3).sub(col(boxes, 1)));
    }

    /** Each coordinate clamped to the image: x into [0, width], y into [0, height]. */
    public static Tensor clip(Tensor boxes, int height, int width) {
        check("clip_boxes", boxes);
        return Index.stack(List.of(col(boxes, 0).clamp(0, width), col(boxes, 1).clamp(0, height),
                col(boxes, 2).clamp(0, width), col(boxes, 3).clamp(0, height)), 1);
    }

    /** BOOL [R]: width > threshold and height > threshold (detectron2's {@code Boxes.nonempty}). */
    public static Tensor nonEmpty(Tensor boxes, double threshold) {
        check("nonempty", boxes);
        Tensor w = col(boxes, 2).sub(col(boxes, 0)), h = col(boxes, 3).sub(col(boxes, 1));
        return Pointwise.where(w.gt(threshold), h.gt(threshold), w.gt(threshold));
    }

    /**
     * Box2BoxTransform.get_deltas: the deltas [R, 4] that move src onto dst, (wx·(cx' − cx)/w, wy·(cy' − cy)/h,
     * ww·ln(w'/w), wh·ln(h'/h)). Source boxes must have positive sides (detectron2 asserts it).
     */
    public static Tensor encode(Tensor src, Tensor dst, double[] weights) {
        check("box_encode", src);
        check("box_encode", dst);
        checkWeights(weights);
        if (src.size(0) != dst.size(0)) throw new IllegalArgumentException("box_encode: " + src.size(0) + " source and " + dst.size(0) + " target boxes");
        Tensor sw = col(src, 2).sub(col(src, 0)), sh = col(src, 3).sub(col(src, 1));
        Tensor sx = col(src, 0).add(sw.mul(0.5)), sy = col(src, 1).add(sh.mul(0.5));
        Tensor tw = col(dst, 2).sub(col(dst, 0)), th = col(dst, 3).sub(col(dst, 1));
        Tensor tx = col(dst, 0).add(tw.mul(0.5)), ty = col(dst, 1).add(th.mul(0.5));
        return Index.stack(List.of(tx.sub(sx).mul(weights[0]).div(sw), ty.sub(sy).mul(weights[1]).div(sh),
                tw.div(sw).log().mul(weights[2]), th.div(sh).log().mul(weights[3])), 1);
    }

    /**
     * Box2BoxTransform.apply_deltas: deltas [R, 4k] (k boxes per row, e.g. one per class at columns 4j..4j+3) applied
     * to boxes [R, 4] → [R, 4k]. The size deltas are clamped from above at {@code scaleClamp} after the division by
     * their weights.
     */
    public static Tensor decode(Tensor deltas, Tensor boxes, double[] weights, double scaleClamp) {
        check("box_decode", boxes);
        checkWeights(weights);
        if (deltas.dim() != 2 || deltas.size(1) % 4 != 0 || deltas.size(0) != boxes.size(0)) {
            throw new IllegalArgumentException("box_decode: deltas must be [R, 4k] for boxes " + boxes.shapeString() + ", got " + deltas.shapeString());
        }
        int r = deltas.size(0), k = deltas.size(1) / 4;
        Tensor b = boxes.to(deltas.dtype());
        Tensor w = col(b, 2).sub(col(b, 0)), h = col(b, 3).sub(col(b, 1));
        Tensor cx = col(b, 0).add(w.mul(0.5)).unsqueeze(1), cy = col(b, 1).add(h.mul(0.5)).unsqueeze(1);
        w = w.unsqueeze(1);
        h = h.unsqueeze(1);
        Tensor d = deltas.reshape(r, k, 4);
        Tensor dx = divBy(col(d, 0), weights[0]), dy = divBy(col(d, 1), weights[1]);
        Tensor dw = divBy(col(d, 2), weights[2]).clamp(Double.NEGATIVE_INFINITY, scaleClamp);
        Tensor dh = divBy(col(d, 3), weights[3]).clamp(Double.NEGATIVE_INFINITY, scaleClamp);
        Tensor px = dx.mul(w).add(cx), py = dy.mul(h).add(cy);
        Tensor pw = dw.exp().mul(w), ph = dh.exp().mul(h);
        Tensor hw = pw.mul(0.5), hh = ph.mul(0.5);
        return Index.stack(List.of(px.sub(hw), py.sub(hh), px.add(hw), py.add(hh)), 2).reshape(r, 4 * k);
    }

    private static void checkWeights(double[] weights) {
        if (weights.length != 4) throw new IllegalArgumentException("box transform: 4 weights (wx, wy, ww, wh) expected, got " + weights.length);
    }

    /**
     * detectron2's pairwise_iou: [N, M] intersection over union of a [N,4] and b [M,4]; 0 wherever the intersection is
     * not positive (so empty and disjoint boxes give 0, never NaN).
     */
    public static Tensor pairwiseIou(Tensor a, Tensor b) {
        check("pairwise_iou", a);
        check("pairwise_iou", b);
        Tensor a3 = a.unsqueeze(1), b3 = b.unsqueeze(0);
        Tensor lo = Pointwise.maximum(a3.narrow(2, 0, 2), b3.narrow(2, 0, 2));
        Tensor hi = Pointwise.minimum(a3.narrow(2, 2, 2), b3.narrow(2, 2, 2));
        Tensor wh = hi.sub(lo).clamp(0, Double.POSITIVE_INFINITY);
        Tensor inter = wh.select(2, 0).mul(wh.select(2, 1));
        Tensor union = area(a).unsqueeze(1).add(area(b).unsqueeze(0)).sub(inter);
        Tensor zero = Tensor.full(inter.dtype(), 0.0, 1).to(inter.backend());
        return Pointwise.where(inter.gt(0), inter.div(union), zero);
    }
}
