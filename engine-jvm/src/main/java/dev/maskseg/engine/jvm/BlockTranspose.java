package dev.maskseg.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies eight source rows into the interleaved layout of a packed GEMM sliver:
 * dst[off + k * dstStride + r] = src[srcOff + r * srcStride + k] for r < 8, k < len. Eight 8-float loads become eight
 * 8-float stores through three stages of two-source permutes (vpermt2ps), about three times faster than the scalar
 * scatter it replaces; packing A for row-major A and B for a transposed weight (x·Wᵀ) both take this path.
 */
final class BlockTranspose {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    /** 256-bit float lanes are native (AVX2, AVX-512); elsewhere the Vector API would emulate them slowly. */
    static final boolean ENABLED = FloatVector.SPECIES_PREFERRED.length() >= 8 && !Boolean.getBoolean("maskseg.sgemm.scalarPack");

    // Stage 1 interleaves single floats of two rows, stage 2 float pairs, stage 3 float quads.
    private static final FloatVector PAIR_LO = lanes(0, 8, 1, 9, 2, 10, 3, 11), PAIR_HI = lanes(4, 12, 5, 13, 6, 14, 7, 15);
    private static final FloatVector DUO_LO = lanes(0, 1, 8, 9, 2, 3, 10, 11), DUO_HI = lanes(4, 5, 12, 13, 6, 7, 14, 15);
    private static final FloatVector QUAD_LO = lanes(0, 1, 2, 3, 8, 9, 10, 11), QUAD_HI = lanes(4, 5, 6, 7, 12, 13, 14, 15);

    private BlockTranspose() {}

    private static FloatVector lanes(int... index) {
        float[] f = new float[index.length];
        for (int i = 0; i < f.length; i++) f[i] = index[i];
        return FloatVector.fromArray(S, f, 0);
    }

    /** Requires dstStride ≥ 8 so that the eight values of one k do not overlap the next. */
    static void rows8(float[] src, int srcOff, int srcStride, int len, float[] dst, int off, int dstStride) {
        rows8(src, null, 0, srcOff, srcStride, len, dst, off, dstStride);
    }

    /** As above with row r starting at src[rowStart[first + r] + add]. */
    static void rows8(float[] src, int[] rowStart, int first, int add, int len, float[] dst, int off, int dstStride) {
        rows8(src, rowStart, first, add, 0, len, dst, off, dstStride);
    }

    /** Row r starts at src[add + r * stride], or at src[add + rowStart[first + r]] when rowStart is given. */
    private static void rows8(float[] src, int[] rowStart, int first, int add, int stride, int len, float[] dst, int off, int dstStride) {
        int s0 = add + start(rowStart, first, stride, 0), s1 = add + start(rowStart, first, stride, 1);
        int s2 = add + start(rowStart, first, stride, 2), s3 = add + start(rowStart, first, stride, 3);
        int s4 = add + start(rowStart, first, stride, 4), s5 = add + start(rowStart, first, stride, 5);
        int s6 = add + start(rowStart, first, stride, 6), s7 = add + start(rowStart, first, stride, 7);
        int k = 0;
        for (; k + 8 <= len; k += 8) {
            FloatVector r0 = FloatVector.fromArray(S, src, s0 + k), r1 = FloatVector.fromArray(S, src, s1 + k);
            FloatVector r2 = FloatVector.fromArray(S, src, s2 + k), r3 = FloatVector.fromArray(S, src, s3 + k);
            FloatVector r4 = FloatVector.fromArray(S, src, s4 + k), r5 = FloatVector.fromArray(S, src, s5 + k);
            FloatVector r6 = FloatVector.fromArray(S, src, s6 + k), r7 = FloatVector.fromArray(S, src, s7 + k);
            FloatVector a0 = PAIR_LO.selectFrom(r0, r1), a1 = PAIR_HI.selectFrom(r0, r1);
            FloatVector a2 = PAIR_LO.selectFrom(r2, r3), a3 = PAIR_HI.selectFrom(r2, r3);
            FloatVector a4 = PAIR_LO.selectFrom(r4, r5), a5 = PAIR_HI.selectFrom(r4, r5);
            FloatVector a6 = PAIR_LO.selectFrom(r6, r7), a7 = PAIR_HI.selectFrom(r6, r7);
            FloatVector b0 = DUO_LO.selectFrom(a0, a2), b1 = DUO_HI.selectFrom(a0, a2);
            FloatVector b2 = DUO_LO.selectFrom(a1, a3), b3 = DUO_HI.selectFrom(a1, a3);
            FloatVector b4 = DUO_LO.selectFrom(a4, a6), b5 = DUO_HI.selectFrom(a4, a6);
            FloatVector b6 = DUO_LO.selectFrom(a5, a7), b7 = DUO_HI.selectFrom(a5, a7);
            int o = off + k * dstStride;
            QUAD_LO.selectFrom(b0, b4).intoArray(dst, o);
            QUAD_HI.selectFrom(b0, b4).intoArray(dst, o + dstStride);
            QUAD_LO.selectFrom(b1, b5).intoArray(dst, o + 2 * dstStride);
            QUAD_HI.selectFrom(b1, b5).intoArray(dst, o + 3 * dstStride);
            QUAD_LO.selectFrom(b2, b6).intoArray(dst, o + 4 * dstStride);
            QUAD_HI.selectFrom(b2, b6).intoArray(dst, o + 5 * dstStride);
            QUAD_LO.selectFrom(b3, b7).intoArray(dst, o + 6 * dstStride);
            QUAD_HI.selectFrom(b3, b7).intoArray(dst, o + 7 * dstStride);
        }
        for (; k < len; k++) {
            for (int r = 0; r < 8; r++) dst[off + k * dstStride + r] = src[add + start(rowStart, first, stride, r) + k];
        }
    }

    private static int start(int[] rowStart, int first, int stride, int r) {
        return rowStart == null ? r * stride : rowStart[first + r];
    }
}
