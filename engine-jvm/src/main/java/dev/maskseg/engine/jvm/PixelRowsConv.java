package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.ConvShape;

/**
 * A frozen layer's convolution of a small output plane as Yᵀ[pix x coutG] = colsᵀ · Wᵀ, then transposed into Y (cols:
 * the im2col matrix [kdim x pix], the input itself for a 1x1 stride-1 layer). The usual orientation Y = W · cols puts
 * output pixels in the micro-kernel's 32-wide column slivers, which a 7x7 plane fills 49/64 and a 14x14 one 196/224
 * (the shifted planes' wide rows no better); as rows of 8-high slivers they fill 49/56 and 196/200, and the output
 * channels (a multiple of 32 in ResNets) fill the columns. Wᵀ is packed once per layer ({@link PackedB}), so only frozen
 * layers take this path; used where it wastes less than half the lanes the usual orientation does ({@link #applies}).
 */
final class PixelRowsConv {
    private static final ScratchBuffer COLS = new ScratchBuffer(), RESULT = new ScratchBuffer();
    /** The largest Yᵀ (pix x coutG floats) and im2col matrix (kdim x pix) taken this way: both are staged in per-thread buffers. */
    private static final int MAX_STAGED = 1 << 22;

    private PixelRowsConv() {}

    /** -Dmaskseg.conv.pixelRows=false keeps the usual orientation. */
    static final boolean ENABLED = !"false".equals(System.getProperty("maskseg.conv.pixelRows"));

    static boolean applies(ConvShape g, ConvParams p) {
        if (!ENABLED || g.coutG() < Sgemm.NR) return false;
        int pix = g.pix();
        if ((long) pix * g.coutG() > MAX_STAGED || (long) pix * g.kdim() > MAX_STAGED) return false;
        double usual = waste(pix, Sgemm.NR), rows = waste(pix, Sgemm.MR);
        return usual > 0.05 && rows < usual / 2;
    }

    /** The share of lanes computed past n when n is cut in pieces of r. */
    private static double waste(int n, int r) { return (double) Math.ceilDiv(n, r) * r / n - 1; }

    /** Per group, Wᵀ (the group's weights [coutG, kdim] from wOff on) packed as the B operand. */
    static PackedB[] packWeights(float[] w, int wOff, ConvShape g) {
        PackedB[] byGroup = new PackedB[g.groups()];
        for (int grp = 0; grp < g.groups(); grp++) {
            byGroup[grp] = PackedB.of(PanelSource.strided(w, wOff + grp * g.coutG() * g.kdim(), 1, g.kdim()), g.kdim(), g.coutG());
        }
        return byGroup;
    }

    /**
     * y[yBase + co·pix + i] = bias[co] + Σ_k wᵀ(k, co) · cols(k, pixel i) for one image and group; bias may be null, and
     * y is overwritten. pool null: on the calling thread.
     */
    static void forward(WorkerPool pool, float[] x, int xBase, ConvShape g, ConvParams p, PackedB wt, float[] bias, int biasOff,
                        int biasStride, float[] y, int yBase) {
        int pix = g.pix(), kdim = g.kdim(), cout = g.coutG();
        float[] src = x;
        int srcBase = xBase;
        if (!g.pointwise(p)) {   // the im2col matrix, [kdim][pix]
            src = COLS.atLeast(kdim * pix);
            srcBase = 0;
            new Im2col(x, xBase, g.h(), g.w(), g.kh(), g.kw(), g.oh(), g.ow(), p).copyBlock(0, kdim, 0, pix, src, 0, pix, 1);
        }
        PanelSource a = PanelSource.strided(src, srcBase, 1, pix);
        float[] t = RESULT.atLeast(pix * cout);
        if (bias != null) {   // the sums start from the bias, as the usual orientation's do: the same bits
            for (int co = 0; co < cout; co++) t[co] = bias[biasOff + co * biasStride];
            for (int i = 1; i < pix; i++) System.arraycopy(t, 0, t, i * cout, cout);
        }
        if (pool == null) Sgemm.gemm(0, pix, 0, cout, kdim, a, wt, t, 0, cout, bias == null);
        else Sgemm.gemm(pool, pix, cout, kdim, a, wt, t, 0, cout, bias == null);
        int i = 0;
        if (BlockTranspose.ENABLED) for (; i + 8 <= pix; i += 8) BlockTranspose.rows8(t, i * cout, cout, cout, y, yBase + i, pix);
        for (; i < pix; i++) {
            for (int co = 0; co < cout; co++) y[yBase + co * pix + i] = t[i * cout + co];
        }
    }
}
