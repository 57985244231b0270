package dev.maskseg.engine.backend.jvm;

import dev.maskseg.engine.backend.ConvParams;

/**
 * Stride-1 conv2d forward of one image and group without im2col. The input is zero-padded once into planes of width
 * Wp = W + 2·padW; on that grid, the im2col row of input channel ci and tap (i, j) is the padded plane itself, shifted
 * by i·dilH·Wp + j·dilW. So the GEMM runs over "wide" output rows of Wp pixels (the last kw−1 columns of each are
 * discarded), and packing a B sliver is one contiguous copy per row instead of im2col's per-pixel bookkeeping.
 */
final class ShiftedConv {
    /** Used when the discarded columns cost at most a quarter more work and the padded copy stays modest. */
    private static final double MAX_WIDE_RATIO = 1.25;
    private static final long MAX_PADDED_FLOATS = 16L << 20;

    private static final ThreadLocal<float[]> PADDED = new ThreadLocal<>(), WIDE = new ThreadLocal<>();

    private ShiftedConv() {}

    static boolean applies(int cinG, int h, int w, int ow, ConvParams p) {
        if (p.strideH() != 1 || p.strideW() != 1) return false;
        int wp = w + 2 * p.padW();
        return wp <= MAX_WIDE_RATIO * ow && (long) cinG * (h + 2 * p.padH()) * wp <= MAX_PADDED_FLOATS;
    }

    /**
     * y[co, oy, ox] += sum over ci, i, j of w[co, ci, i, j] · x[ci, oy − padH + i·dilH, ox − padW + j·dilW] for the
     * coutG output planes at y[yBase], the cinG input planes at x[xBase] and weights [coutG, cinG·kh·kw] at w[wBase].
     * A null pool runs single-threaded.
     */
    static void forward(WorkerPool pool, float[] x, int xBase, int cinG, int h, int w, float[] wt, int wBase, int coutG, int kh, int kw,
                        float[] y, int yBase, int oh, int ow, ConvParams p) {
        int hp = h + 2 * p.padH(), wp = w + 2 * p.padW(), plane = hp * wp;
        float[] padded = buffer(PADDED, cinG * plane);
        for (int ci = 0; ci < cinG; ci++) {
            int dst = ci * plane;
            java.util.Arrays.fill(padded, dst, dst + p.padH() * wp, 0f);
            for (int iy = 0; iy < h; iy++) {
                int row = dst + (iy + p.padH()) * wp;
                java.util.Arrays.fill(padded, row, row + p.padW(), 0f);
                System.arraycopy(x, xBase + (ci * h + iy) * w, padded, row + p.padW(), w);
                java.util.Arrays.fill(padded, row + p.padW() + w, row + wp, 0f);
            }
            java.util.Arrays.fill(padded, dst + (h + p.padH()) * wp, dst + plane, 0f);
        }
        int kd = cinG * kh * kw, wideN = (oh - 1) * wp + ow;   // the last wide row stops at ow: reads stay inside the plane
        int[] rowBase = new int[kd];
        for (int ci = 0, r = 0; ci < cinG; ci++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) rowBase[r++] = ci * plane + i * p.dilationH() * wp + j * p.dilationW();
            }
        }
        PanelSource a = PanelSource.strided(wt, wBase, kd, 1);
        PanelSource b = (r0, nr, c0, nc, dst, off, drs, dcs) -> {
            for (int r = 0; r < nr; r++) {
                int src = rowBase[r0 + r] + c0, d = off + r * drs;
                if (dcs == 1) System.arraycopy(padded, src, dst, d, nc);
                else for (int c = 0; c < nc; c++) dst[d + c * dcs] = padded[src + c];
            }
        };
        float[] wide = buffer(WIDE, coutG * wideN);
        if (pool == null) Sgemm.gemm(0, coutG, 0, wideN, kd, a, b, wide, 0, wideN, true);
        else Sgemm.gemm(pool, coutG, wideN, kd, a, b, wide, 0, wideN, true);
        for (int co = 0; co < coutG; co++) {
            for (int oy = 0; oy < oh; oy++) {
                int src = co * wideN + oy * wp, dst = yBase + (co * oh + oy) * ow;
                for (int ox = 0; ox < ow; ox++) y[dst + ox] += wide[src + ox];
            }
        }
    }

    private static float[] buffer(ThreadLocal<float[]> holder, int size) {
        float[] b = holder.get();
        if (b == null || b.length < size) holder.set(b = new float[size]);
        return b;
    }
}
