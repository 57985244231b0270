package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.vectors.Float16;

import static dev.maskseg.engine.tornado.TornadoLinAlgKernel.*;

/**
 * The GEMM for CPU OpenCL devices (PoCL), same parameters as {@link TornadoLinAlgKernel#gemm} but B's rows contiguous
 * (the host copies a B that is not): each work-item computes an 8 x 16 block of C in eight {@link Float16} registers,
 * from 16 consecutive B elements (the 16 scalar loads of a {@code new Float16(...)} merge into one vector load) times
 * a broadcast A element per row. PoCL runs a work-group's work-items as a loop and vectorizes scalar code with several
 * accumulators across them poorly, so the kernel names its vectors itself (about 10x the tiled kernel there). The last
 * column block reads up to 15 elements past a B row (the arena keeps a tail for it) and stores only the valid ones. It
 * overwrites C: the host accumulates through a temporary.
 *
 * <p>Written around TornadoVM 5.2's limits: no default constructor of Float16 (it fails to compile), no vector passed
 * to a helper method, no read of C (either is rejected as "non-final objects introduced via scope"), one k-loop (two
 * loops merging vector values fail in Graal's scheduling), callees under 600 nodes.
 */
final class TornadoGemmVectorKernel {
    /** Rows and columns of C per work-item. */
    static final int MR = 8, NR = 16;

    private TornadoGemmVectorKernel() {}

    static Float16 zero() {
        return new Float16(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
    }

    /** 16 consecutive elements from o. */
    static Float16 row16(FloatArray f, int o) {
        return new Float16(f.get(o + 0), f.get(o + 1), f.get(o + 2), f.get(o + 3), f.get(o + 4), f.get(o + 5), f.get(o + 6), f.get(o + 7), f.get(o + 8), f.get(o + 9), f.get(o + 10), f.get(o + 11), f.get(o + 12), f.get(o + 13), f.get(o + 14), f.get(o + 15));
    }

    static void store1(FloatArray f, int at, boolean valid, float v) {
        if (valid) f.set(at, v);
    }

    /** Lanes k..k+7 of a C row at base with column stride cn, those below n. */
    static void store8(FloatArray f, int base, int cn, int k, int n, float v0, float v1, float v2, float v3, float v4, float v5, float v6, float v7) {
        store1(f, base + (k + 0) * cn, k + 0 < n, v0);
        store1(f, base + (k + 1) * cn, k + 1 < n, v1);
        store1(f, base + (k + 2) * cn, k + 2 < n, v2);
        store1(f, base + (k + 3) * cn, k + 3 < n, v3);
        store1(f, base + (k + 4) * cn, k + 4 < n, v4);
        store1(f, base + (k + 5) * cn, k + 5 < n, v5);
        store1(f, base + (k + 6) * cn, k + 6 < n, v6);
        store1(f, base + (k + 7) * cn, k + 7 < n, v7);
    }

    static void gemm(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int rows = m.get(M), cols = m.get(NN), kk = m.get(K);
        int am = m.get(AM), ak = m.get(AK), bk = m.get(BK), cm = m.get(CM), cn = m.get(CN);
        int aOff = m.get(A), bOff = m.get(B), cOff = m.get(C);
        int rem = kc.globalIdz;
        for (int q = m.get(BATCH_RANK) - 1; q >= 0; q--) {
            int s = m.get(BATCH_SHAPE + q);
            int c = rem % s;
            rem = rem / s;
            aOff += c * m.get(A_BATCH + q);
            bOff += c * m.get(B_BATCH + q);
            cOff += c * m.get(C_BATCH + q);
        }
        int j0 = kc.globalIdx * NR, i0 = kc.globalIdy * MR;
        if (j0 < cols && i0 < rows) {
            int n = Math.min(NR, cols - j0);
        int a0 = aOff + Math.min(i0 + 0, rows - 1) * am;
        int a1 = aOff + Math.min(i0 + 1, rows - 1) * am;
        int a2 = aOff + Math.min(i0 + 2, rows - 1) * am;
        int a3 = aOff + Math.min(i0 + 3, rows - 1) * am;
        int a4 = aOff + Math.min(i0 + 4, rows - 1) * am;
        int a5 = aOff + Math.min(i0 + 5, rows - 1) * am;
        int a6 = aOff + Math.min(i0 + 6, rows - 1) * am;
        int a7 = aOff + Math.min(i0 + 7, rows - 1) * am;
            Float16 c0 = zero(), c1 = zero(), c2 = zero(), c3 = zero(), c4 = zero(), c5 = zero(), c6 = zero(), c7 = zero();
            int b0 = bOff + j0;
            for (int q = 0; q < kk; q++) {
                Float16 b = row16(f, b0 + q * bk);
                c0 = Float16.add(c0, Float16.mult(b, f.get(a0 + q * ak)));
                c1 = Float16.add(c1, Float16.mult(b, f.get(a1 + q * ak)));
                c2 = Float16.add(c2, Float16.mult(b, f.get(a2 + q * ak)));
                c3 = Float16.add(c3, Float16.mult(b, f.get(a3 + q * ak)));
                c4 = Float16.add(c4, Float16.mult(b, f.get(a4 + q * ak)));
                c5 = Float16.add(c5, Float16.mult(b, f.get(a5 + q * ak)));
                c6 = Float16.add(c6, Float16.mult(b, f.get(a6 + q * ak)));
                c7 = Float16.add(c7, Float16.mult(b, f.get(a7 + q * ak)));
            }
            int cBase = cOff + i0 * cm + j0 * cn;
            if (i0 + 0 < rows) {
                store8(f, cBase + 0 * cm, cn, 0, n, c0.getS0(), c0.getS1(), c0.getS2(), c0.getS3(), c0.getS4(), c0.getS5(), c0.getS6(), c0.getS7());
                store8(f, cBase + 0 * cm, cn, 8, n, c0.getS8(), c0.getS9(), c0.getS10(), c0.getS11(), c0.getS12(), c0.getS13(), c0.getS14(), c0.getS15());
            }
            if (i0 + 1 < rows) {
                store8(f, cBase + 1 * cm, cn, 0, n, c1.getS0(), c1.getS1(), c1.getS2(), c1.getS3(), c1.getS4(), c1.getS5(), c1.getS6(), c1.getS7());
                store8(f, cBase + 1 * cm, cn, 8, n, c1.getS8(), c1.getS9(), c1.getS10(), c1.getS11(), c1.getS12(), c1.getS13(), c1.getS14(), c1.getS15());
            }
            if (i0 + 2 < rows) {
                store8(f, cBase + 2 * cm, cn, 0, n, c2.getS0(), c2.getS1(), c2.getS2(), c2.getS3(), c2.getS4(), c2.getS5(), c2.getS6(), c2.getS7());
                store8(f, cBase + 2 * cm, cn, 8, n, c2.getS8(), c2.getS9(), c2.getS10(), c2.getS11(), c2.getS12(), c2.getS13(), c2.getS14(), c2.getS15());
            }
            if (i0 + 3 < rows) {
                store8(f, cBase + 3 * cm, cn, 0, n, c3.getS0(), c3.getS1(), c3.getS2(), c3.getS3(), c3.getS4(), c3.getS5(), c3.getS6(), c3.getS7());
                store8(f, cBase + 3 * cm, cn, 8, n, c3.getS8(), c3.getS9(), c3.getS10(), c3.getS11(), c3.getS12(), c3.getS13(), c3.getS14(), c3.getS15());
            }
            if (i0 + 4 < rows) {
                store8(f, cBase + 4 * cm, cn, 0, n, c4.getS0(), c4.getS1(), c4.getS2(), c4.getS3(), c4.getS4(), c4.getS5(), c4.getS6(), c4.getS7());
                store8(f, cBase + 4 * cm, cn, 8, n, c4.getS8(), c4.getS9(), c4.getS10(), c4.getS11(), c4.getS12(), c4.getS13(), c4.getS14(), c4.getS15());
            }
            if (i0 + 5 < rows) {
                store8(f, cBase + 5 * cm, cn, 0, n, c5.getS0(), c5.getS1(), c5.getS2(), c5.getS3(), c5.getS4(), c5.getS5(), c5.getS6(), c5.getS7());
                store8(f, cBase + 5 * cm, cn, 8, n, c5.getS8(), c5.getS9(), c5.getS10(), c5.getS11(), c5.getS12(), c5.getS13(), c5.getS14(), c5.getS15());
            }
            if (i0 + 6 < rows) {
                store8(f, cBase + 6 * cm, cn, 0, n, c6.getS0(), c6.getS1(), c6.getS2(), c6.getS3(), c6.getS4(), c6.getS5(), c6.getS6(), c6.getS7());
                store8(f, cBase + 6 * cm, cn, 8, n, c6.getS8(), c6.getS9(), c6.getS10(), c6.getS11(), c6.getS12(), c6.getS13(), c6.getS14(), c6.getS15());
            }
            if (i0 + 7 < rows) {
                store8(f, cBase + 7 * cm, cn, 0, n, c7.getS0(), c7.getS1(), c7.getS2(), c7.getS3(), c7.getS4(), c7.getS5(), c7.getS6(), c7.getS7());
                store8(f, cBase + 7 * cm, cn, 8, n, c7.getS8(), c7.getS9(), c7.getS10(), c7.getS11(), c7.getS12(), c7.getS13(), c7.getS14(), c7.getS15());
            }
        }
    }
}
