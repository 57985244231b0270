package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d forward (and weight gradient) of one image and group without im2col. The input is zero-padded once into
 * planes; for stride s it is also split into its s x s phases (rows ≡ a, columns ≡ b mod s), each of width
 * Wp = ⌈(W + 2·padW) / s⌉. On that grid the im2col row of input channel ci and tap (i, j) is one phase plane itself,
 * shifted by ⌊i·dilH / s⌋·Wp + ⌊j·dilW / s⌋. So the GEMM runs over "wide" output rows of Wp pixels (the columns past ow
 * are discarded), and packing a B sliver is one contiguous copy per row instead of im2col's per-pixel bookkeeping; a
 * strided convolution reads its phases like a stride-1 one.
 */
final class ShiftedConv {
    /** Used when the discarded columns cost at most a quarter more work and the padded copy stays modest. */
    private static final double MAX_WIDE_RATIO = 1.25;
    private static final long MAX_PADDED_FLOATS = 16L << 20;

    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length();
    private static final ScratchBuffer PADDED = new ScratchBuffer(), WIDE = new ScratchBuffer();

    private ShiftedConv() {}

    /** -Dmaskseg.conv.shiftedStrided=false leaves strided convolutions to im2col. */
    static final boolean STRIDED = !"false".equals(System.getProperty("maskseg.conv.shiftedStrided"));

    static boolean applies(int cinG, int h, int w, int ow, ConvParams p) {
        if (!STRIDED && (p.strideH() != 1 || p.strideW() != 1)) return false;
        int wp = Math.ceilDiv(w + 2 * p.padW(), p.strideW()), hp = Math.ceilDiv(h + 2 * p.padH(), p.strideH());
        long floats = (long) cinG * p.strideH() * p.strideW() * hp * wp;
        return wp <= MAX_WIDE_RATIO * ow && floats <= MAX_PADDED_FLOATS;
    }

    /** The zero-padded phase planes and, per im2col row (ci, i, j), where its shifted plane starts in them. */
    private record Padded(float[] planes, int[] rowStart, int wp, int wideN) {}

    private static Padded pad(WorkerPool pool, float[] x, int xBase, int cinG, int h, int w, int kh, int kw, int oh, int ow, ConvParams p) {
        int sh = p.strideH(), sw = p.strideW();
        int hp = Math.ceilDiv(h + 2 * p.padH(), sh), wp = Math.ceilDiv(w + 2 * p.padW(), sw), plane = hp * wp;
        // only the phases some tap reads (a 1x1 stride-2 convolution reads one of four)
        int[] phaseIndex = new int[sh * sw];
        java.util.Arrays.fill(phaseIndex, -1);
        int phases = 0;
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                int ph = (i * p.dilationH() % sh) * sw + j * p.dilationW() % sw;
                if (phaseIndex[ph] < 0) phaseIndex[ph] = phases++;
            }
        }
        float[] padded = PADDED.atLeast(cinG * phases * plane);
        // the padded rows and columns some output window reads; those past them (a stride's leftover) stay zero, so the
        // weight gradient's discarded wide columns multiply zeros, never an input value no window reads (0·Inf = NaN)
        int readH = (oh - 1) * sh + (kh - 1) * p.dilationH() + 1, readW = (ow - 1) * sw + (kw - 1) * p.dilationW() + 1;
        int phaseCount = phases;
        WorkerPool.eachUnit(pool, cinG, (long) cinG * phases * plane, 65_536, ci -> {
            for (int ph = 0; ph < sh * sw; ph++) {
                if (phaseIndex[ph] < 0) continue;
                fillPhase(x, xBase + ci * h * w, h, w, ph / sw, ph % sw, p, padded, (ci * phaseCount + phaseIndex[ph]) * plane, hp, wp, readH, readW);
            }
        });
        int[] rowStart = new int[cinG * kh * kw];
        for (int ci = 0, r = 0; ci < cinG; ci++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int di = i * p.dilationH(), dj = j * p.dilationW();
                    int ph = phaseIndex[(di % sh) * sw + dj % sw];
                    rowStart[r++] = (ci * phases + ph) * plane + di / sh * wp + dj / sw;
                }
            }
        }
        // the last wide row stops at ow, so every shifted read stays inside its phase plane
        return new Padded(padded, rowStart, wp, (oh - 1) * wp + ow);
    }

    /** Phase (a, b) of one zero-padded input plane: dst row py, column px = padded input at (py·sh + a, px·sw + b). */
    private static void fillPhase(float[] x, int src, int h, int w, int a, int b, ConvParams p, float[] dst, int at, int hp, int wp,
                                  int readH, int readW) {
        int sh = p.strideH(), sw = p.strideW();
        int cols = Math.min(w, readW - p.padW());   // input columns past the last one any window reads count as padding
        for (int py = 0; py < hp; py++) {
            int row = at + py * wp, iy = py * sh + a - p.padH();
            if (iy < 0 || iy >= h || py * sh + a >= readH) {
                java.util.Arrays.fill(dst, row, row + wp, 0f);
                continue;
            }
            // columns px whose input column ix = px·sw + b − padW lies in [0, cols)
            int lo = Math.min(wp, Math.max(0, Math.ceilDiv(p.padW() - b, sw))), hi = Math.max(lo, Math.min(wp, Math.ceilDiv(cols + p.padW() - b, sw)));
            java.util.Arrays.fill(dst, row, row + lo, 0f);
            int xRow = src + iy * w + b - p.padW();
            if (sw == 1) System.arraycopy(x, xRow + lo, dst, row + lo, hi - lo);
            else for (int px = lo; px < hi; px++) dst[row + px] = x[xRow + px * sw];
            java.util.Arrays.fill(dst, row + hi, row + wp, 0f);
        }
    }

    /**
     * y[co, oy, ox] += sum over ci, i, j of w[co, ci, i, j] · x[ci, oy − padH + i·dilH, ox − padW + j·dilW] for the
     * coutG output planes at y[yBase], the cinG input planes at x[xBase] and the weights [coutG, cinG·kh·kw] as the GEMM's A operand.
     * A null pool runs single-threaded.
     */
    static void forward(WorkerPool pool, float[] x, int xBase, int cinG, int h, int w, PanelSource a, int coutG, int kh, int kw,
                        float[] y, int yBase, int oh, int ow, ConvParams p) {
        Padded in = pad(pool, x, xBase, cinG, h, w, kh, kw, oh, ow, p);
        int kd = cinG * kh * kw, wideN = in.wideN(), wp = in.wp();
        float[] padded = in.planes();
        int[] rowStart = in.rowStart();
        PanelSource b = PanelSource.rows(padded, rowStart);
        float[] wide = WIDE.atLeast(coutG * wideN);
        if (pool == null) Sgemm.gemm(0, coutG, 0, wideN, kd, a, b, wide, 0, wideN, true);
        else Sgemm.gemm(pool, coutG, wideN, kd, a, b, wide, 0, wideN, true);
        WorkerPool.eachUnit(pool, coutG, (long) coutG * oh * ow, 65_536, co -> {
            for (int oy = 0; oy < oh; oy++) {
                int src = co * wideN + oy * wp, dst = yBase + (co * oh + oy) * ow, ox = 0;
                for (int bound = S.loopBound(ow); ox < bound; ox += V) {
                    FloatVector.fromArray(S, y, dst + ox).add(FloatVector.fromArray(S, wide, src + ox)).intoArray(y, dst + ox);
                }
                for (; ox < ow; ox++) y[dst + ox] += wide[src + ox];
            }
        });
    }

    /**
     * gw[co, (ci, i, j)] += sum over output pixels of gy[co, oy, ox] · x[ci, oy − padH + i·dilH, ox − padW + j·dilW]: the
     * forward's wide grid transposed, with gy spread onto it (zeros in the discarded columns) as the GEMM's A.
     */
    static void weightGradient(WorkerPool pool, float[] x, int xBase, int cinG, int h, int w, float[] gy, int gyBase, int coutG,
                               int kh, int kw, int oh, int ow, float[] gw, int gwBase, ConvParams p) {
        Padded in = pad(pool, x, xBase, cinG, h, w, kh, kw, oh, ow, p);
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
