package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.ResizeParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

import static dev.maskseg.engine.backend.ref.RefPointwise.h;

/**
 * Separable nearest / bilinear / bicubic resizing of contiguous NCHW planes with PyTorch's
 * coordinate rules (docs/methods.md §1.2 and §1.4). Backward applies the transposed weights.
 */
public final class RefResize {
    private RefResize() {}

    /** Per output position: ntaps source indices and weights. */
    public record Taps(int ntaps, int[] index, double[] weight) {}

    static double scaleOf(int in, int out, boolean alignCorners, double scaleFactor) {
        if (alignCorners) return out > 1 ? (double) (in - 1) / (out - 1) : 0.0;
        return scaleFactor > 0 ? 1.0 / scaleFactor : (double) in / out;
    }

    public static Taps taps(ResizeParams.Mode mode, int in, int out, boolean alignCorners, double scaleFactor) {
        int nt = switch (mode) { case NEAREST -> 1; case BILINEAR -> 2; case BICUBIC -> 4; };
        int[] idx = new int[out * nt];
        double[] w = new double[out * nt];
        double scale = scaleOf(in, out, alignCorners, scaleFactor);
        for (int o = 0; o < out; o++) {
            switch (mode) {
                case NEAREST -> {
                    // PyTorch computes the nearest source in float
                    float s = scaleFactor > 0 ? (float) (1.0 / scaleFactor) : (float) in / out;
                    idx[o] = in == out ? o : Math.min((int) Math.floor(o * s), in - 1);
                    w[o] = 1.0;
                }
                case BILINEAR -> {
                    double src = alignCorners ? scale * o : Math.max(scale * (o + 0.5) - 0.5, 0.0);
                    int i0 = Math.min((int) src, in - 1);
                    double lambda = Math.min(Math.max(src - i0, 0.0), 1.0);
                    int i1 = i0 + (i0 < in - 1 ? 1 : 0);
                    idx[2 * o] = i0;
                    idx[2 * o + 1] = i1;
                    w[2 * o] = 1.0 - lambda;
                    w[2 * o + 1] = lambda;
                }
                case BICUBIC -> {
                    double src = alignCorners ? scale * o : scale * (o + 0.5) - 0.5;
                    int base = (int) Math.floor(src);
                    double t = src - base;
                    double[] cw = cubicWeights(t);
                    for (int k = 0; k < 4; k++) {
                        idx[4 * o + k] = Math.min(Math.max(base - 1 + k, 0), in - 1);
                        w[4 * o + k] = cw[k];
                    }
                }
            }
        }
        return new Taps(nt, idx, w);
    }

    /** Keys cubic convolution, A = -0.75, for taps at offsets -1, 0, 1, 2. */
    public static double[] cubicWeights(double t) {
        double a = -0.75;
        double x1 = t + 1, x2 = 1 - t, x3 = 2 - t;
        return new double[]{
                ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a,
                ((a + 2) * t - (a + 3)) * t * t + 1,
                ((a + 2) * x2 - (a + 3)) * x2 * x2 + 1,
                ((a * x3 - 5 * a) * x3 + 8 * a) * x3 - 4 * a};
    }

    static void resize(View in, ResizeParams p, View out, boolean backward) {
        int planes = in.shape()[0] * in.shape()[1], ih = in.shape()[2], iw = in.shape()[3];
        int oh = out.shape()[2], ow = out.shape()[3];
        Taps ty = taps(p.mode(), ih, oh, p.alignCorners(), p.scaleH());
        Taps tx = taps(p.mode(), iw, ow, p.alignCorners(), p.scaleW());
        HostStorage is = h(in), os = h(out);
        int ny = ty.ntaps(), nx = tx.ntaps();
        for (int pl = 0; pl < planes; pl++) {
            int ib = in.offset() + pl * ih * iw, ob = out.offset() + pl * oh * ow;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int oAt = ob + oy * ow + ox;
                    double acc = 0, g = backward ? os.get(oAt) : 0;
                    for (int a = 0; a < ny; a++) {
                        int sy = ty.index()[oy * ny + a];
                        double wy = ty.weight()[oy * ny + a];
                        for (int b = 0; b < nx; b++) {
                            int iAt = ib + sy * iw + tx.index()[ox * nx + b];
                            double wgt = wy * tx.weight()[ox * nx + b];
                            if (backward) is.set(iAt, is.get(iAt) + wgt * g);
                            else acc += wgt * is.get(iAt);
                        }
                    }
                    if (!backward) os.set(oAt, acc);
                }
        }
    }
}
