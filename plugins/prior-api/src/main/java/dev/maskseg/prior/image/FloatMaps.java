package dev.maskseg.prior.image;

/** Single-channel float maps (row-major): normalization and resizing. */
public final class FloatMaps {
    private FloatMaps() {}

    /** In place to [0, 1]; a constant map becomes all zeros. */
    public static float[] minMax(float[] m) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float v : m) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float range = hi - lo;
        for (int i = 0; i < m.length; i++) m[i] = range > 0 ? (m[i] - lo) / range : 0f;
        return m;
    }

    /** Bilinear with half-pixel centres (torch {@code align_corners=False}, no antialiasing). */
    public static float[] resizeBilinear(float[] src, int w, int h, int ow, int oh) {
        if (ow == w && oh == h) return src.clone();
        float[] out = new float[ow * oh];
        double sx = (double) w / ow, sy = (double) h / oh;
        for (int y = 0; y < oh; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, h - 1), y1 = Math.min(y0 + 1, h - 1);
            double wy = fy - y0;
            for (int x = 0; x < ow; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, w - 1), x1 = Math.min(x0 + 1, w - 1);
                double wx = fx - x0;
                double top = src[y0 * w + x0] * (1 - wx) + src[y0 * w + x1] * wx;
                double bottom = src[y1 * w + x0] * (1 - wx) + src[y1 * w + x1] * wx;
                out[y * ow + x] = (float) (top * (1 - wy) + bottom * wy);
            }
        }
        return out;
    }
}
