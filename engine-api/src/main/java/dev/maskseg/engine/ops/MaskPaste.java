package dev.maskseg.engine.ops;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;

/**
 * detectron2's paste_masks_in_image (docs/methods.md §3.4): each M x M probability map is resampled into its box on an
 * H x W image the way grid_sample(align_corners = false, zero padding) does, pixel (r, c) reading the map at
 * u = (c + 0.5 − x0) / (x1 − x0) · M − 0.5 (v likewise), and only inside the box's window [floor(x0) − 1, ceil(x1) + 1)
 * x [floor(y0) − 1, ceil(y1) + 1) clipped to the image (zero outside, as detectron2 pastes box by box on a CPU).
 *
 * <p>Bilinear sampling with zero padding separates by axis, so each mask is Wy · P · Wxᵀ with Wy [H, M] and Wx [W, M]
 * built on the host (the window and the zero padding folded in) and two batched matmuls on the masks' backend.
 */
public final class MaskPaste {
    /** Images are pasted in chunks of at most this many pixels (over all masks of a chunk). */
    private static final long CHUNK_PIXELS = 1L << 24;

    private MaskPaste() {}

    /** UINT8 [D, H, W]: 1 where the pasted value is at least the threshold (detectron2: 0.5). */
    public static Tensor paste(Tensor probs, Tensor boxes, int height, int width, double threshold) {
        return run(probs, boxes, height, width, threshold, true);
    }

    /** The pasted values themselves [D, H, W] (float32), before thresholding. */
    public static Tensor pasteSoft(Tensor probs, Tensor boxes, int height, int width) {
        return run(probs, boxes, height, width, 0, false);
    }

    private static Tensor run(Tensor probs, Tensor boxes, int height, int width, double threshold, boolean binary) {
        Boxes.check("paste_masks", boxes);
        if (probs.dim() != 3 || probs.size(1) != probs.size(2) || probs.size(0) != boxes.size(0)) {
            throw new IllegalArgumentException("paste_masks: probabilities must be [D, M, M] for boxes " + boxes.shapeString()
                    + ", got " + probs.shapeString());
        }
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("paste_masks: image size " + height + "x" + width);
        int d = probs.size(0), m = probs.size(1);
        double[] box = boxes.toDoubleArray();
        boolean single = boxes.dtype() == DType.FLOAT32;
        Tensor out = Tensor.zeros(binary ? DType.UINT8 : DType.FLOAT32, d, height, width).to(probs.backend());
        int chunk = (int) Math.max(1, Math.min(d, CHUNK_PIXELS / ((long) height * width)));
        try (var ng = GradMode.noGrad()) {
            Tensor p = probs.to(DType.FLOAT32);
            for (int s = 0; s < d; s += chunk) {
                int n = Math.min(chunk, d - s);
                float[] wy = new float[n * height * m], wx = new float[n * width * m];
                for (int i = 0; i < n; i++) {
                    double x0 = box[4 * (s + i)], y0 = box[4 * (s + i) + 1], x1 = box[4 * (s + i) + 2], y1 = box[4 * (s + i) + 3];
                    if (!(x1 > x0 && y1 > y0)) continue;   // a degenerate box pastes nothing
                    axis(x0, x1, width, m, single, wx, i * width * m);
                    axis(y0, y1, height, m, single, wy, i * height * m);
                }
                Tensor ty = Tensor.of(wy, n, height, m).to(probs.backend()), tx = Tensor.of(wx, n, width, m).to(probs.backend());
                Tensor soft = ty.matmul(p.narrow(0, s, n)).matmul(tx.transpose(1, 2));
                Tensor part = binary ? soft.ge(threshold).to(DType.UINT8) : soft;
                probs.backend().copy(part.view(), out.narrow(0, s, n).view());
            }
        }
        return out;
    }

    private static double r(double v, boolean single) { return single ? (float) v : v; }

    /** Rows [lo, hi) of one axis' weights [n, m]: grid_sample's bilinear weights of each pixel centre on the m cells. */
    private static void axis(double a0, double a1, int n, int m, boolean single, float[] w, int base) {
        int lo = Math.max((int) Math.floor(a0) - 1, 0), hi = Math.min((int) Math.ceil(a1) + 1, n);
        double extent = r(a1 - a0, single);
        for (int c = lo; c < hi; c++) {
            double g = r(r(r(r(c + 0.5, single) - a0, single) / extent, single) * 2 - 1, single);
            double u = r(r(r(r(g + 1, single) * m, single) - 1, single) / 2, single);
            double fl = Math.floor(u), f = r(u - fl, single);
            int cell = (int) fl;
            if (cell >= 0 && cell < m) w[base + c * m + cell] += (float) r(1 - f, single);
            if (cell + 1 >= 0 && cell + 1 < m) w[base + c * m + cell + 1] += (float) f;
        }
    }
}
