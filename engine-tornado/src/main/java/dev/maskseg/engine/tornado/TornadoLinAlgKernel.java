package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.Meta.*;

/**
 * Device code of the linear-algebra family: batched strided GEMM, C (+)= A @ B; host side {@link TornadoLinAlg}. A
 * work-group of LOCAL x LOCAL work-items computes a TILE x TILE block of C, each work-item a 4 x 4 register block of
 * outputs (rows ty + 16 q, columns tx + 16 r), from TILE x TK panels of A and B staged in local memory. Arbitrary
 * element strides make transposed operands free; the batch (up to 6 dims) is the grid's third dimension.
 */
final class TornadoLinAlgKernel {
    static final int TILE = 64, TK = 16, LOCAL = 16;
    static final int M = ARG, NN = ARG + 1, K = ARG + 2, A = ARG + 3, AM = ARG + 4, AK = ARG + 5, B = ARG + 6, BK = ARG + 7,
            BN = ARG + 8, C = ARG + 9, CM = ARG + 10, CN = ARG + 11, ACCUMULATE = ARG + 12, BATCH_RANK = ARG + 13,
            BATCH_SHAPE = ARG + 14, A_BATCH = ARG + 20, B_BATCH = ARG + 26, C_BATCH = ARG + 32;

    private TornadoLinAlgKernel() {}

    static void gemm(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        float[] ta = kc.allocateFloatLocalArray(TILE * TK);
        float[] tb = kc.allocateFloatLocalArray(TK * TILE);
        int rows = m.get(M), cols = m.get(NN), kk = m.get(K);
        int am = m.get(AM), ak = m.get(AK), bk = m.get(BK), bn = m.get(BN);
        int aOff = m.get(A), bOff = m.get(B), cOff = m.get(C);
        int rem = kc.groupIdz;
        for (int q = m.get(BATCH_RANK) - 1; q >= 0; q--) {
            int s = m.get(BATCH_SHAPE + q);
            int c = rem % s;
            rem = rem / s;
            aOff += c * m.get(A_BATCH + q);
            bOff += c * m.get(B_BATCH + q);
            cOff += c * m.get(C_BATCH + q);
        }
        int tx = kc.localIdx, ty = kc.localIdy, lid = ty * LOCAL + tx;
        int m0 = kc.groupIdy * TILE, n0 = kc.groupIdx * TILE;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int k0 = 0; k0 < kk; k0 += TK) {
            for (int q = 0; q < 4; q++) {
                int e = lid + q * LOCAL * LOCAL;
                int ar = e / TK, ac = e % TK;
                int gm = m0 + ar, gk = k0 + ac;
                float va = 0f;
                if (gm < rows && gk < kk) va = f.get(aOff + gm * am + gk * ak);
                ta[e] = va;
                int br = e / TILE, bc = e % TILE;
                int gk2 = k0 + br, gn = n0 + bc;
                float vb = 0f;
                if (gk2 < kk && gn < cols) vb = f.get(bOff + gk2 * bk + gn * bn);
                tb[e] = vb;
            }
            kc.localBarrier();
            for (int pp = 0; pp < TK; pp++) {
                float a0 = ta[ty * TK + pp], a1 = ta[(ty + 16) * TK + pp];
                float a2 = ta[(ty + 32) * TK + pp], a3 = ta[(ty + 48) * TK + pp];
                float b0 = tb[pp * TILE + tx], b1 = tb[pp * TILE + tx + 16];
                float b2 = tb[pp * TILE + tx + 32], b3 = tb[pp * TILE + tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            kc.localBarrier();
        }
        int cm = m.get(CM), cn = m.get(CN);
        boolean acc = m.get(ACCUMULATE) != 0;
        storeRow(f, cOff, m0 + ty, n0 + tx, rows, cols, cm, cn, acc, c00, c01, c02, c03);
        storeRow(f, cOff, m0 + ty + 16, n0 + tx, rows, cols, cm, cn, acc, c10, c11, c12, c13);
        storeRow(f, cOff, m0 + ty + 32, n0 + tx, rows, cols, cm, cn, acc, c20, c21, c22, c23);
        storeRow(f, cOff, m0 + ty + 48, n0 + tx, rows, cols, cm, cn, acc, c30, c31, c32, c33);
    }

    static void storeRow(FloatArray f, int cOff, int row, int col, int rows, int cols, int cm, int cn, boolean acc,
                         float v0, float v1, float v2, float v3) {
        if (row < rows) {
            int base = cOff + row * cm;
            store1(f, base, col, cols, cn, acc, v0);
            store1(f, base, col + 16, cols, cn, acc, v1);
            store1(f, base, col + 32, cols, cn, acc, v2);
            store1(f, base, col + 48, cols, cn, acc, v3);
        }
    }

    static void store1(FloatArray f, int base, int col, int cols, int cn, boolean acc, float v) {
        if (col < cols) {
            int at = base + col * cn;
            if (acc) f.set(at, f.get(at) + v);
            else f.set(at, v);
        }
    }
}
