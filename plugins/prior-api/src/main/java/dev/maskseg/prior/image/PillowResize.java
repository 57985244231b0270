package dev.maskseg.prior.image;

/**
 * Pillow's {@code Image.resize} for 8-bit channels (libImaging/Resample.c): separable convolution with support
 * scaled by the downscale factor (so downscaling antialiases), weights normalised per output pixel and
 * quantised to 22 fractional bits, horizontal pass then vertical, each rounded and clipped to 0..255.
 * Matching it bit for bit matters where a mask is resized and then thresholded at {@code > 0} (MaskDistill).
 */
public final class PillowResize {
    public enum Filter { BILINEAR, BICUBIC }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PillowResize() {}

    /** Resizes {@code channels} interleaved 8-bit planes (values 0..255) of a w x h image to ow x oh. */
    public static int[] resize(int[] src, int w, int h, int channels, int ow, int oh, Filter f) {
        int[] tmp = src;
        int tw = w;
        if (ow != w) {
            tmp = pass(src, w, h, channels, ow, f, true);
            tw = ow;
        }
        return oh != h ? pass(tmp, tw, h, channels, oh, f, false) : tmp;
    }

    private static int[] pass(int[] in, int w, int h, int c, int outSize, Filter f, boolean horizontal) {
        int inSize = horizontal ? w : h;
        double scale = (double) inSize / outSize, filterScale = Math.max(scale, 1.0);
        double support = (f == Filter.BILINEAR ? 1.0 : 2.0) * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[2 * outSize];
        int[] kk = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale, ww = 0, ss = 1.0 / filterScale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            for (int x = 0; x < xmax; x++) {
                k[x] = kernel(f, (x + xmin - center + 0.5) * ss);
                ww += k[x];
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0 ? k[x] / ww : k[x];
                kk[o * ksize + x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[2 * o] = xmin;
            bounds[2 * o + 1] = xmax;
        }
        int ow = horizontal ? outSize : w, oh = horizontal ? h : outSize;
        int[] out = new int[ow * oh * c];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int o = horizontal ? x : y, xmin = bounds[2 * o], n = bounds[2 * o + 1];
                for (int ch = 0; ch < c; ch++) {
                    long acc = 1L << (PRECISION_BITS - 1);
                    for (int t = 0; t < n; t++) {
                        int sx = horizontal ? xmin + t : x, sy = horizontal ? y : xmin + t;
                        acc += (long) in[(sy * w + sx) * c + ch] * kk[o * ksize + t];
                    }
                    out[(y * ow + x) * c + ch] = clip8(acc);
                }
            }
        }
        return out;
    }

    private static int clip8(long v) {
        if (v >= (1L << PRECISION_BITS << 8)) return 255;
        if (v <= 0) return 0;
        return (int) (v >> PRECISION_BITS);
    }

    private static double kernel(Filter f, double x) {
        x = Math.abs(x);
        if (f == Filter.BILINEAR) return x < 1 ? 1 - x : 0;
        double a = -0.5;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }
}
