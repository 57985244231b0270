package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

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

    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length();
    private static final ScratchBuffer PADDED = new ScratchBuffer(), WIDE = new ScratchBuffer();

    private ShiftedConv() {}

    static boolean applies(int cinG, int h, int w, int ow, ConvParams p) {
        if (p.strideH() != 1 || p.strideW() != 1) return false;
        int wp = w + 2 * p.padW();
        return wp <= MAX_WIDE_RATIO * ow && (long) cinG * (h + 2 * p.padH()) * wp <= MAX_PADDED_FLOATS;
    }

    /** The zero-padded input planes and, per im2col row (ci, i, j), where its shifted plane starts in them. */
    private record Padded(float[] planes, int[] rowStart, int wp, int wideN) {}

    private static Padded pad(float[] x, int xBase, int cinG, int h, int w, int kh, int kw, int oh, int ow, ConvParams p) {
        int hp = h + 2 * p.padH(), wp = w + 2 * p.padW(), plane = hp * wp;
        float[] padded = PADDED.atLeast(cinG * plane);
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
        int[] rowStart = new int[cinG * kh * kw];
        for (int ci = 0, r = 0; ci < cinG; ci++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) rowStart[r++] = ci * plane + i * p.dilationH() * wp + j * p.dilationW();
            }
        }
        // the last wide row stops at ow, so every shifted read stays inside the padded planes
        return new Padded(padded, rowStart, wp, (oh - 1) * wp + ow);
    }

    /**
     * y[co, oy, ox] += sum over ci, i, j of w[co, ci, i, j] · x[ci, oy − padH + i·dilH, ox − padW + j·dilW] for the
     * coutG output planes at y[yBase], the cinG input planes at x[xBase] and the weights [coutG, cinG·kh·kw] as the GEMM's A operand.
     * A null pool runs single-threaded.
     */
    static void forward(WorkerPool pool, float[] x, int xBase, int cinG, int h, int w, PanelSource a, int coutG, int kh, int kw,
                        float[] y, int yBase, int oh, int ow, ConvParams p) {
        Padded in = pad(x, xBase, cinG, h, w, kh, kw, oh, ow, p);
        int kd = cinG * kh * kw, wideN = in.wideN(), wp = in.wp();
        float[] padded = in.planes();
        int[] rowStart = in.rowStart();
        PanelSource b = PanelSource.rows(padded, rowStart);
        float[] wide = WIDE.atLeast(coutG * wideN);
        if (pool == null) Sgemm.gemm(0, coutG, 0, wideN, kd, a, b, wide, 0, wideN, true);
        else Sgemm.gemm(pool, coutG, wideN, kd, a, b, wide, 0, wideN, true);
        for (int co = 0; co < coutG; co++) {
            for (int oy = 0; oy < oh; oy++) {
                int src = co * wideN + oy * wp, dst = yBase + (co * oh + oy) * ow, ox = 0;
                for (int bound = S.loopBound(ow); ox < bound; ox += V) {
                    FloatVector.fromArray(S, y, dst + ox).add(FloatVector.fromArray(S, wide, src + ox)).intoArray(y, dst + ox);
                }
                for (; ox < ow; ox++) y[dst + ox] += wide[src + ox];
            }
        }
    }

    /**
     * gw[co, (ci, i, j)] += sum over output pixels of gy[co, oy, ox] · x[ci, oy − padH + i·dilH, ox − padW + j·dilW]: the
     * forward's wide grid transposed, with gy spread onto it (zeros in the discarded columns) as the GEMM's A.
     */
    static void weightGradient(WorkerPool pool, float[] x, int xBase, int cinG, int h, int w, float[] gy, int gyBase, int coutG,
                               int kh, int kw, int oh, int ow, float[] gw, int gwBase, ConvParams p) {
        Padded in = pad(x, xBase, cinG, h, w, kh, kw, oh, ow, p);
        int kd = cinG * kh * kw, wideN = in.wideN(), wp = in.wp();
        float[] padded = in.planes(), wideGy = WIDE.atLeast(coutG * wideN);
        int[] rowStart = in.rowStart();
        for (int co = 0; co < coutG; co++) {
            for (int oy = 0; oy < oh; oy++) {
                int dst = co * wideN + oy * wp;
                System.arraycopy(gy, gyBase + (co * oh + oy) * ow, wideGy, dst, ow);
                if (oy < oh - 1) java.util.Arrays.fill(wideGy, dst + ow, dst + wp, 0f);
            }
        }
        // B(pixel, r) = padded[rowStart[r] + pixel]: packing reads eight shifted planes at a time and transposes them
        PanelSource b = (r0, nr, c0, nc, dst, off, drs, dcs) -> {
            int c = 0;
            if (dcs == 1 && drs >= 8 && BlockTranspose.ENABLED) {
                for (; c + 8 <= nc; c += 8) BlockTranspose.rows8(padded, rowStart, c0 + c, r0, nr, dst, off + c, drs);
            }
            for (; c < nc; c++) {
                int src = rowStart[c0 + c] + r0;
                for (int r = 0; r < nr; r++) dst[off + r * drs + c * dcs] = padded[src + r];
            }
        };
        PanelSource a = PanelSource.strided(wideGy, 0, wideN, 1);
        if (pool == null) Sgemm.gemm(0, coutG, 0, kd, wideN, a, b, gw, gwBase, kd);
        else Sgemm.gemm(pool, coutG, kd, wideN, a, b, gw, gwBase, kd);
    }
}
