package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.ConvShape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A frozen layer's convolution of a small output plane as Yᵀ[pix x coutG] = colsᵀ · Wᵀ, then transposed into Y (cols:
 * the im2col matrix [kdim x pix], never materialized: {@link Patches} packs colsᵀ from the zero-padded input). The
 * usual orientation Y = W · cols puts output pixels in the micro-kernel's 2V-wide column slivers, which with 16-lane
 * vectors (AVX-512) a 7x7 plane fills 49/64 and a 14x14 one 196/224 (the shifted planes' wide rows no better); as rows
 * of 8-high slivers they fill 49/56 and 196/200, and the output channels (a multiple of 32 in ResNets) fill the columns.
 * Wᵀ is packed once per layer ({@link PackedB}), so only frozen layers take this path; used where it wastes less than
 * half the lanes the usual orientation does ({@link #applies}), and never for dilated kernels, whose taps on small
 * planes mostly read padding ({@link TapConv} skips those).
 */
final class PixelRowsConv {
    private static final ScratchBuffer PADDED = new ScratchBuffer(), RESULT = new ScratchBuffer();
    /** The largest Yᵀ (pix x coutG floats) and zero-padded input taken this way: both are staged in per-thread buffers. */
    private static final int MAX_STAGED = 1 << 22;

    private static final int MR = Sgemm.MR;

    private PixelRowsConv() {}

    /** -Dmaskseg.conv.pixelRows=false keeps the usual orientation. */
    static final boolean ENABLED = !"false".equals(System.getProperty("maskseg.conv.pixelRows"));

    static boolean applies(ConvShape g, ConvParams p) {
        if (!ENABLED || g.coutG() < Sgemm.NR || p.dilationH() != 1 || p.dilationW() != 1) return false;
        int pix = g.pix();
        long padded = (long) g.cinG() * (g.h() + 2 * p.padH()) * (g.w() + 2 * p.padW());
        if ((long) pix * g.coutG() > MAX_STAGED || padded > MAX_STAGED) return false;
        double usual = waste(pix, Sgemm.NR), rows = waste(pix, Sgemm.MR);
        return usual > 0.05 && rows < usual / 2;
    }

    /** The share of lanes computed past n when n is cut in pieces of r. */
    private static double waste(int n, int r) { return (double) Math.ceilDiv(n, r) * r / n - 1; }

    /**
     * colsᵀ of one image and group: element (pixel, k) is padded[kOffset[k] + pixelOffset[pixel]], the input zero-padded
     * once, since an output pixel's position and a kernel tap's (ci, i, j) each add a fixed offset in the padded planes.
     * It packs the micro-kernel's 8-pixel A slivers straight from there (one 8-float load per k where the 8 pixels lie
     * side by side in one row, a gather otherwise) instead of writing the im2col matrix out and packing from that.
     */
    private record Patches(float[] padded, int[] kOffset, int[] pixelOffset) implements PanelSource {
        private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;

        static Patches of(WorkerPool pool, float[] x, int xBase, ConvShape g, ConvParams p, Offsets offsets) {
            int hp = g.h() + 2 * p.padH(), wp = g.w() + 2 * p.padW(), plane = hp * wp, cin = g.cinG();
            float[] padded = PADDED.atLeast(cin * plane);
            WorkerPool.eachUnit(pool, cin, (long) cin * plane, 65_536, ci -> {
                java.util.Arrays.fill(padded, ci * plane, (ci + 1) * plane, 0f);
                for (int y = 0; y < g.h(); y++) {
                    System.arraycopy(x, xBase + (ci * g.h() + y) * g.w(), padded, ci * plane + (y + p.padH()) * wp + p.padW(), g.w());
                }
            });
            return new Patches(padded, offsets.kOffset(), offsets.pixelOffset());
        }

        @Override
        public void copyBlock(int r0, int nr, int c0, int nc, float[] dst, int off, int rowStride, int colStride) {
            if (nr == MR && MR == S8.length() && rowStride == 1 && colStride == MR) {
                int first = pixelOffset[r0];
                if (pixelOffset[r0 + MR - 1] - first == MR - 1) {
                    for (int c = 0; c < nc; c++) FloatVector.fromArray(S8, padded, kOffset[c0 + c] + first).intoArray(dst, off + c * MR);
                } else {
                    for (int c = 0; c < nc; c++) FloatVector.fromArray(S8, padded, kOffset[c0 + c], pixelOffset, r0).intoArray(dst, off + c * MR);
                }
                return;
            }
            for (int c = 0; c < nc; c++) {
                int k = kOffset[c0 + c];
                for (int r = 0; r < nr; r++) dst[off + r * rowStride + c * colStride] = padded[k + pixelOffset[r0 + r]];
            }
        }
    }

    /**
     * Where each im2col row (ci, i, j) and each output pixel start in the zero-padded input planes: fixed by the layer and
     * its input size, so a frozen layer keeps them with its packed weights ({@link #offsetsKey}) instead of per call.
     */
    record Offsets(int[] kOffset, int[] pixelOffset) {
        static Offsets of(ConvShape g, ConvParams p) {
            int wp = g.w() + 2 * p.padW(), plane = (g.h() + 2 * p.padH()) * wp, taps = g.kh() * g.kw();
            int[] kOffset = new int[g.cinG() * taps], pixelOffset = new int[g.pix()];
            for (int ci = 0; ci < g.cinG(); ci++) {
                for (int i = 0; i < g.kh(); i++) {
                    for (int j = 0; j < g.kw(); j++) kOffset[ci * taps + i * g.kw() + j] = ci * plane + i * p.dilationH() * wp + j * p.dilationW();
                }
            }
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) pixelOffset[oy * g.ow() + ox] = oy * p.strideH() * wp + ox * p.strideW();
            }
            return new Offsets(kOffset, pixelOffset);
        }
    }

    /** The {@link dev.maskseg.engine.backend.PackedWeights} key of a layer's {@link Offsets} for one input size. */
    static Object offsetsKey(ConvShape g) { return java.util.List.of("pixel-rows offsets", g.h(), g.w()); }

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
     * y is overwritten; offsets ({@link Offsets#of}) are read unless the layer is 1x1 stride 1. pool null: on the calling thread.
     */
    static void forward(WorkerPool pool, float[] x, int xBase, ConvShape g, ConvParams p, PackedB wt, Offsets offsets, float[] bias,
                        int biasOff, int biasStride, float[] y, int yBase) {
        int pix = g.pix(), kdim = g.kdim(), cout = g.coutG();
        PanelSource a = g.pointwise(p) ? PanelSource.strided(x, xBase, 1, pix) : Patches.of(pool, x, xBase, g, p, offsets);
        float[] t = RESULT.atLeast(pix * cout);
        if (bias != null) {   // the sums start from the bias, as the usual orientation's do: the same bits
            for (int co = 0; co < cout; co++) t[co] = bias[biasOff + co * biasStride];
            WorkerPool.eachUnit(pool, pix - 1, (long) pix * cout, 65_536, i -> System.arraycopy(t, 0, t, (i + 1) * cout, cout));
        }
        if (pool == null) Sgemm.gemm(0, pix, 0, cout, kdim, a, wt, t, 0, cout, bias == null);
        else Sgemm.gemm(pool, pix, cout, kdim, a, wt, t, 0, cout, bias == null);
        // Yᵀ back into Y, 8 pixels at a time
        WorkerPool.eachUnit(pool, Math.ceilDiv(pix, 8), (long) pix * cout, 65_536, block -> {
            int i = block * 8;
            if (BlockTranspose.ENABLED && i + 8 <= pix) {
                BlockTranspose.rows8(t, i * cout, cout, cout, y, yBase + i, pix);
                return;
            }
            for (; i < Math.min(pix, block * 8 + 8); i++) {
                for (int co = 0; co < cout; co++) y[yBase + co * pix + i] = t[i * cout + co];
            }
        });
    }
}
