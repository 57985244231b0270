package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.RoiAlignParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

import static dev.maskseg.engine.backend.ref.RefPointwise.h;

/**
 * RoIAlign as torchvision's CPU kernel computes it (docs/methods.md §3.4): per box, bins of (box size / bins), each the
 * mean of gh x gw bilinear samples; samples outside [-1, size] count as zero, others are clamped into the map. The
 * sampling geometry is computed in float32 for float32 features (as torchvision does, so that the adaptive sample count
 * and the clamping decisions agree) and in float64 otherwise; sums are in double.
 *
 * <p>{@link #plan} gives the same weights in separable form (per box and axis, each bin's summed bilinear weights on a
 * contiguous run of rows or columns), which the accelerated backends apply: out = Wy · f · Wxᵀ / count.
 */
public final class RefRoiAlign {
    private RefRoiAlign() {}

    /** A box's sampling along one axis: first sample origin, bin size, samples per bin (≤ 0: none). */
    record Axis(double start, double bin, int grid) {}

    private static double r(double v, boolean single) { return single ? (float) v : v; }

    static Axis axis(double lo, double hi, int bins, RoiAlignParams p, boolean single) {
        double scale = r(p.spatialScale(), single), off = p.aligned() ? 0.5 : 0.0;
        double start = r(r(lo * scale, single) - off, single), end = r(r(hi * scale, single) - off, single);
        double size = r(end - start, single);
        if (!p.aligned()) size = Math.max(size, 1.0);
        double bin = r(size / bins, single);
        int grid = p.samplingRatio() > 0 ? p.samplingRatio() : (int) Math.ceil(bin);
        return new Axis(start, bin, grid);
    }

    /** Coordinate of sample i of bin p: start + p*bin + (i+0.5)*bin/grid, in torchvision's order of operations. */
    static double sample(Axis a, int p, int i, boolean single) {
        double head = r(a.start() + r(p * a.bin(), single), single);
        return r(head + r(r((i + 0.5) * a.bin(), single) / a.grid(), single), single);
    }

    /**
     * The two cells a sample reads along an axis of length n and their weights: {lo, hi} in idx, {1-l, l} in w.
     * False when the sample lies outside [-1, n] and is dropped.
     */
    static boolean tap(double c, int n, boolean single, int[] idx, double[] w) {
        if (c < -1.0 || c > n) return false;
        if (c <= 0) c = 0;
        int lo = (int) c, hi;
        if (lo >= n - 1) {
            lo = hi = n - 1;
            c = lo;
        } else {
            hi = lo + 1;
        }
        double l = r(c - lo, single);
        idx[0] = lo;
        idx[1] = hi;
        w[0] = r(1.0 - l, single);
        w[1] = l;
        return true;
    }

    static int count(Axis y, Axis x) { return Math.max(y.grid() * x.grid(), 1); }

    /** forward: out = roi_align(features); backward: gradFeatures += roi_align'(gradOut). features/out contiguous. */
    static void run(View features, View rois, RoiAlignParams p, View out, boolean backward) {
        HostStorage fs = h(features), rs = h(rois), os = h(out);
        boolean single = features.dtype() == DType.FLOAT32;
        int k = rois.shape()[0], c = features.shape()[1], hh = features.shape()[2], ww = features.shape()[3];
        int ph = p.outH(), pw = p.outW();
        int[] yi = new int[2], xi = new int[2];
        double[] yw = new double[2], xw = new double[2];
        for (int n = 0; n < k; n++) {
            int rb = rois.offset() + n * rois.strides()[0], rc = rois.strides()[1];
            int b = (int) rs.get(rb);
            Axis ax = axis(rs.get(rb + rc), rs.get(rb + 3 * rc), pw, p, single);
            Axis ay = axis(rs.get(rb + 2 * rc), rs.get(rb + 4 * rc), ph, p, single);
            double count = count(ay, ax);
            for (int ch = 0; ch < c; ch++) {
                int plane = features.offset() + (b * c + ch) * hh * ww;
                int outBase = out.offset() + (n * c + ch) * ph * pw;
                for (int py = 0; py < ph; py++)
                    for (int px = 0; px < pw; px++) {
                        double acc = 0, g = backward ? os.get(outBase + py * pw + px) / count : 0;
                        for (int iy = 0; iy < ay.grid(); iy++) {
                            if (!tap(sample(ay, py, iy, single), hh, single, yi, yw)) continue;
                            for (int ix = 0; ix < ax.grid(); ix++) {
                                if (!tap(sample(ax, px, ix, single), ww, single, xi, xw)) continue;
                                for (int a = 0; a < 2; a++)
                                    for (int e = 0; e < 2; e++) {
                                        int at = plane + yi[a] * ww + xi[e];
                                        double wgt = r(yw[a] * xw[e], single);
                                        if (backward) fs.set(at, fs.get(at) + wgt * g);
                                        else acc += wgt * fs.get(at);
                                    }
                            }
                        }
                        if (!backward) os.set(outBase + py * pw + px, acc / count);
                    }
            }
        }
    }

    /**
     * Separable weights of every box: per box and output row, the summed y-weights on rows yStart..yStart+yLen-1
     * (dense, ny per row, zero padded), likewise for columns; invCount = 1 / max(gh*gw, 1). Weights are in double.
     */
    public record Plan(int rois, int[] batch, double[] invCount,
                       int ny, int[] yStart, int[] yLen, double[] yWeight,
                       int nx, int[] xStart, int[] xLen, double[] xWeight) {}

    /** The plan for rois [K,5] (a host view) over features of height h, width w and dtype. */
    public static Plan plan(View rois, RoiAlignParams p, int h, int w, DType dtype) {
        HostStorage rs = h(rois);
        boolean single = dtype == DType.FLOAT32;
        int k = rois.shape()[0], ph = p.outH(), pw = p.outW();
        int[] batch = new int[k];
        double[] inv = new double[k];
        Axis[] ys = new Axis[k], xs = new Axis[k];
        for (int n = 0; n < k; n++) {
            int rb = rois.offset() + n * rois.strides()[0], rc = rois.strides()[1];
            batch[n] = (int) rs.get(rb);
            xs[n] = axis(rs.get(rb + rc), rs.get(rb + 3 * rc), pw, p, single);
            ys[n] = axis(rs.get(rb + 2 * rc), rs.get(rb + 4 * rc), ph, p, single);
            inv[n] = 1.0 / count(ys[n], xs[n]);
        }
        AxisTaps ty = taps(ys, ph, h, single), tx = taps(xs, pw, w, single);
        return new Plan(k, batch, inv, ty.width, ty.start, ty.len, ty.weight, tx.width, tx.start, tx.len, tx.weight);
    }

    private record AxisTaps(int width, int[] start, int[] len, double[] weight) {}

    private static AxisTaps taps(Axis[] axes, int bins, int n, boolean single) {
        int k = axes.length;
        int[] start = new int[k * bins], len = new int[k * bins];
        double[][] rows = new double[k * bins][];
        int[] idx = new int[2];
        double[] w = new double[2];
        int width = 1;
        for (int r = 0; r < k; r++)
            for (int b = 0; b < bins; b++) {
                double[] acc = new double[n];
                int lo = n, hi = -1;
                for (int i = 0; i < axes[r].grid(); i++) {
                    if (!tap(sample(axes[r], b, i, single), n, single, idx, w)) continue;
                    for (int e = 0; e < 2; e++) acc[idx[e]] += w[e];
                    lo = Math.min(lo, idx[0]);
                    hi = Math.max(hi, idx[1]);
                }
                int at = r * bins + b;
                if (hi < lo) {
                    rows[at] = new double[0];
                    continue;
                }
                start[at] = lo;
                len[at] = hi - lo + 1;
                rows[at] = java.util.Arrays.copyOfRange(acc, lo, hi + 1);
                width = Math.max(width, len[at]);
            }
        double[] weight = new double[k * bins * width];
        for (int at = 0; at < k * bins; at++) System.arraycopy(rows[at], 0, weight, at * width, rows[at].length);
        return new AxisTaps(width, start, len, weight);
    }
}
