package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stride-1 conv2d of one image and group as one GEMM per kernel tap over the rectangle of outputs whose input falls
 * inside the image: tap (i, j) reads x shifted by (di, dj) = (i·dilH − padH, j·dilW − padW), so outputs [y0, y1) x
 * [x0, x1) see real input and the rest would only multiply padding. Taps whose rectangle is empty are skipped: ASPP's
 * dilations 12/24/36 on a 41x41 map leave 65%, 37% and 17% of the im2col work. No padded copy is made, and no output
 * column is computed to be thrown away (the {@link ShiftedConv} waste of (k−1)·dil columns per row).
 * <p>
 * Per kernel column j the input columns [x0 + dj, x1 + dj) are copied into a crop of width x1 − x0 (unless they are
 * the whole row), so every tap of that column reads contiguous rows: its B operand is a plain strided matrix over
 * pixels (r, c) = r·width + c, and its products land in a matching [cout, oh, width] buffer added back into y once.
 * Weights come per tap, [taps][cout][cin] ({@link #tapsFirst}).
 */
final class TapConv {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length();
    private static final ScratchBuffer CROP = new ScratchBuffer(), CROP2 = new ScratchBuffer();
    /** Tap GEMMs are used when the shifted planes would compute this much more than the tap rectangles. */
    static final double PREFERRED_BELOW = 1 / 1.08;
    /**
     * What repacking one kernel element per tap costs, in multiply-adds of the GEMM: about 1 ns against 45 GMAC/s on
     * one Zen 4 core. It decides 7x7 and 14x14 maps at batch 1 (ResNet-50 inference), where the repack of a 512x512x3x3
     * kernel took as long as the convolution, and leaves the dilated 41x41 maps of DeepLab at batch 2 on the taps.
     */
    static final double REPACK_MACS = 45;

    private TapConv() {}

    /**
     * Whether tap GEMMs beat the alternative for a stride-1 convolution of a batch of images: the shifted planes (when
     * they apply) compute taps x oh x (w + 2·padW) pixels per channel pair and image, the taps only their rectangles but
     * first repack the kernel tap by tap, once per call; otherwise im2col computes every tap over every output.
     */
    static boolean preferred(int images, int cinG, int h, int w, int oh, int ow, int kh, int kw, ConvParams p) {
        if (p.strideH() != 1 || p.strideW() != 1 || p.groups() < 1) return false;
        long useful = usefulWork(h, w, oh, ow, kh, kw, p);
        long other = ShiftedConv.applies(cinG, h, w, ow, p) ? (long) kh * kw * oh * (w + 2L * p.padW()) : (long) kh * kw * oh * ow;
        return (double) images * useful + (double) kh * kw * REPACK_MACS < PREFERRED_BELOW * images * other;
    }

    /** Useful multiply-adds per input channel and output channel: the summed tap rectangles. */
    static long usefulWork(int h, int w, int oh, int ow, int kh, int kw, ConvParams p) {
        long rows = 0, cols = 0;
        for (int i = 0; i < kh; i++) rows += Math.max(0, rowHi(i, h, oh, p) - rowLo(i, p));
        for (int j = 0; j < kw; j++) cols += Math.max(0, colHi(j, w, ow, p) - colLo(j, p));
        return rows * cols;
    }

    private static int rowLo(int i, ConvParams p) { return Math.max(0, p.padH() - i * p.dilationH()); }

    private static int rowHi(int i, int h, int oh, ConvParams p) { return Math.min(oh, h - i * p.dilationH() + p.padH()); }

    private static int colLo(int j, ConvParams p) { return Math.max(0, p.padW() - j * p.dilationW()); }

    private static int colHi(int j, int w, int ow, ConvParams p) { return Math.min(ow, w - j * p.dilationW() + p.padW()); }

    /**
     * One group's w[co, ci, t] (coutG x cinG x taps from wOff) → out[outOff + (t·coutG + co)·cinG + ci]. Per output
     * channel its cinG x taps block (in L1) is read with stride taps while each tap's row is written in order.
     */
    static void tapsFirst(float[] w, int wOff, int coutG, int cinG, int taps, float[] out, int outOff) {
        int[] stride = new int[V];
        for (int l = 0; l < V; l++) stride[l] = l * taps;
        int bound = S.loopBound(cinG);
        for (int co = 0; co < coutG; co++) {
            int src = wOff + co * cinG * taps;
            for (int t = 0; t < taps; t++) {
                int dst = outOff + (t * coutG + co) * cinG, ci = 0;
                for (; ci < bound; ci += V) FloatVector.fromArray(S, w, src + t + ci * taps, stride, 0).intoArray(out, dst + ci);
                for (; ci < cinG; ci++) out[dst + ci] = w[src + t + ci * taps];
            }
        }
    }

    /**
     * The transposed, flipped kernel of the input gradient, per tap: out[t][ci][co] = w[co, ci, taps − 1 − t], so that
     * dX = {@link #forward} of dY with padding dil·(k − 1) − pad. Output channels go in blocks so that the source lines
     * one block reads stay in L1 while every tap and input channel is written in order.
     */
    static void flippedTapsFirst(float[] w, int wOff, int coutG, int cinG, int taps, float[] out, int outOff) {
        final int block = 32;
        for (int c0 = 0; c0 < coutG; c0 += block) {
            int c1 = Math.min(coutG, c0 + block);
            for (int t = 0; t < taps; t++) {
                for (int ci = 0; ci < cinG; ci++) {
                    int dst = outOff + ((taps - 1 - t) * cinG + ci) * coutG, src = wOff + ci * taps + t;
                    for (int co = c0; co < c1; co++) out[dst + co] = w[src + co * cinG * taps];
                }
            }
        }
    }

    /**
     * y[co, oy, ox] += Σ over ci, i, j of wt[i·kw + j][co][ci] · x[ci, oy + i·dilH − padH, ox + j·dilW − padW], for the
     * cin planes at x[xBase] (h x w), the cout planes at y[yBase] (oh x ow) and per-tap weights from wt[wtBase], or
     * from tapPanels (each tap's [cout, cin] weights already packed) when given. A null pool runs single-threaded.
     */
    static void forward(WorkerPool pool, float[] x, int xBase, int cin, int h, int w, float[] wt, int wtBase, PanelSource[] tapPanels,
                        int cout, int kh, int kw, float[] y, int yBase, int oh, int ow, ConvParams p) {
        for (int j = 0; j < kw; j++) {
            int x0 = colLo(j, p), x1 = colHi(j, w, ow, p), cw = x1 - x0, dj = j * p.dilationW() - p.padW();
            if (cw <= 0) continue;
            boolean whole = cw == w && cw == ow;   // dj = 0 over full rows: read x and write y as they are
            float[] src = whole ? x : crop(CROP, x, xBase, cin, h, w, x0 + dj, cw);
            int srcBase = whole ? xBase : 0;
            float[] dst = whole ? y : zeroed(CROP2, cout * oh * cw);
            int dstBase = whole ? yBase : 0;
            for (int i = 0; i < kh; i++) {
                int y0 = rowLo(i, p), y1 = rowHi(i, h, oh, p), di = i * p.dilationH() - p.padH();
                if (y1 <= y0) continue;
                PanelSource a = tapPanels != null ? tapPanels[i * kw + j] : PanelSource.strided(wt, wtBase + (i * kw + j) * cout * cin, cin, 1);
                PanelSource b = PanelSource.strided(src, srcBase + (y0 + di) * cw, h * cw, 1);
                gemm(pool, cout, (y1 - y0) * cw, cin, a, b, dst, dstBase + y0 * cw, oh * cw, false);
            }
            if (!whole) addColumns(dst, cout, oh, cw, y, yBase, ow, x0);
        }
    }

    /**
     * gwt[t][co][ci] (+)= Σ over output pixels of gy[co, oy, ox] · x[ci, oy + di, ox + dj] for tap t = (i, j); the
     * first image of a batch overwrites (accumulate false), later ones add.
     */
    static void weightGradient(WorkerPool pool, float[] x, int xBase, int cin, int h, int w, float[] gy, int gyBase, int cout,
                               int kh, int kw, int oh, int ow, float[] gwt, boolean accumulate, ConvParams p) {
        for (int j = 0; j < kw; j++) {
            int x0 = colLo(j, p), x1 = colHi(j, w, ow, p), cw = x1 - x0, dj = j * p.dilationW() - p.padW();
            if (cw <= 0) {
                if (!accumulate) for (int i = 0; i < kh; i++) java.util.Arrays.fill(gwt, (i * kw + j) * cout * cin, (i * kw + j + 1) * cout * cin, 0f);
                continue;
            }
            boolean whole = cw == w && cw == ow;
            float[] xs = whole ? x : crop(CROP, x, xBase, cin, h, w, x0 + dj, cw);
            float[] gs = whole ? gy : crop(CROP2, gy, gyBase, cout, oh, ow, x0, cw);
            int xsBase = whole ? xBase : 0, gsBase = whole ? gyBase : 0;
            for (int i = 0; i < kh; i++) {
                int y0 = rowLo(i, p), y1 = rowHi(i, h, oh, p), di = i * p.dilationH() - p.padH(), t = i * kw + j;
                if (y1 <= y0) {
                    if (!accumulate) java.util.Arrays.fill(gwt, t * cout * cin, (t + 1) * cout * cin, 0f);
                    continue;
                }
                // dW_t[cout, cin] = dY_rect[cout, pixels] · X_shifted[cin, pixels]ᵀ
                PanelSource a = PanelSource.strided(gs, gsBase + y0 * cw, oh * cw, 1);
                PanelSource b = PanelSource.strided(xs, xsBase + (y0 + di) * cw, 1, h * cw);
                gemm(pool, cout, cin, (y1 - y0) * cw, a, b, gwt, t * cout * cin, cin, !accumulate);
            }
        }
    }

    /** gw[co, ci, t] (+)= gwt[t][co][ci]: per output channel each tap's row is read in order, its block (in L1) written. */
    static void scatterTaps(float[] gwt, int cout, int cin, int taps, float[] gw, int gwBase) {
        for (int co = 0; co < cout; co++) {
            int d = gwBase + co * cin * taps;
            for (int t = 0; t < taps; t++) {
                int src = (t * cout + co) * cin;
                for (int ci = 0, g = d + t; ci < cin; ci++, g += taps) gw[g] += gwt[src + ci];
            }
        }
    }

    private static void gemm(WorkerPool pool, int m, int n, int k, PanelSource a, PanelSource b, float[] c, int co, int ldc, boolean overwrite) {
        if (pool == null) Sgemm.gemm(0, m, 0, n, k, a, b, c, co, ldc, overwrite);
        else Sgemm.gemm(pool, m, n, k, a, b, c, co, ldc, overwrite);
    }

    /** Columns [c0, c0 + cw) of every row of the planes at src[base] (rows x width each), packed contiguously. */
    private static float[] crop(ScratchBuffer holder, float[] src, int base, int planes, int rows, int width, int c0, int cw) {
        float[] out = holder.atLeast(planes * rows * cw);
        for (int pl = 0, d = 0; pl < planes; pl++) {
            for (int r = 0, s = base + pl * rows * width + c0; r < rows; r++, s += width, d += cw) System.arraycopy(src, s, out, d, cw);
        }
        return out;
    }

    private static float[] zeroed(ScratchBuffer holder, int size) {
        float[] b = holder.atLeast(size);
        java.util.Arrays.fill(b, 0, size, 0f);
        return b;
    }

    /** y[co, oy, x0 + c] += part[co, oy, c] for c < cw. */
    private static void addColumns(float[] part, int cout, int oh, int cw, float[] y, int yBase, int ow, int x0) {
        for (int row = 0; row < cout * oh; row++) {
            int s = row * cw, d = yBase + row * ow + x0, c = 0;
            for (int bound = S.loopBound(cw); c < bound; c += V) {
                FloatVector.fromArray(S, y, d + c).add(FloatVector.fromArray(S, part, s + c)).intoArray(y, d + c);
            }
            for (; c < cw; c++) y[d + c] += part[s + c];
        }
    }
}
