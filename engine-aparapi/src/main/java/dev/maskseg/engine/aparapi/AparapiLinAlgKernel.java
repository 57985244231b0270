package dev.maskseg.engine.aparapi;

/**
 * Device code of the linear-algebra family: batched GEMM, 64x64 tiles in local memory, 4x4 outputs per work-item; host
 * side {@link AparapiLinAlg}.
 */
abstract class AparapiLinAlgKernel extends AparapiReduceKernel {
    static final int TILE = 64, TK = 16, LOCAL = 16;

    @Local final float[] tileA = new float[TILE * TK];
    @Local final float[] tileB = new float[TK * TILE];

    /** meta: M N K a am ak b bk bn c cm cn accumulate batchRank batchShape[6] aBatch[6] bBatch[6] cBatch[6]. */
    void gemm() {
        int m = meta[0], nn = meta[1], kk = meta[2];
        int am = meta[4], ak = meta[5], bk = meta[7], bn = meta[8], cm = meta[10], cn = meta[11];
        int aOff = meta[3], bOff = meta[6], cOff = meta[9];
        int rem = getGlobalId(2);
        for (int q = meta[13] - 1; q >= 0; q--) {
            int s = meta[14 + q], c = rem % s;
            rem = rem / s;
            aOff += c * meta[20 + q];
            bOff += c * meta[26 + q];
            cOff += c * meta[32 + q];
        }
        int tx = getLocalId(0), ty = getLocalId(1), lid = ty * LOCAL + tx;
        int m0 = getGroupId(1) * TILE, n0 = getGroupId(0) * TILE;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int k0 = 0; k0 < kk; k0 += TK) {
            for (int q = 0; q < 4; q++) {
                int e = lid + q * LOCAL * LOCAL;
                int ar = e / TK, ac = e % TK;
                int gm = m0 + ar, gk = k0 + ac;
                tileA[e] = (gm < m && gk < kk) ? f[aOff + gm * am + gk * ak] : 0f;
                int br = e / TILE, bc = e % TILE;
                int gk2 = k0 + br, gn = n0 + bc;
                tileB[e] = (gk2 < kk && gn < nn) ? f[bOff + gk2 * bk + gn * bn] : 0f;
            }
            localBarrier();
            for (int p = 0; p < TK; p++) {
                float a0 = tileA[ty * TK + p], a1 = tileA[(ty + 16) * TK + p];
                float a2 = tileA[(ty + 32) * TK + p], a3 = tileA[(ty + 48) * TK + p];
                float b0 = tileB[p * TILE + tx], b1 = tileB[p * TILE + tx + 16];
                float b2 = tileB[p * TILE + tx + 32], b3 = tileB[p * TILE + tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            localBarrier();
        }
        storeC(cOff, m0 + ty, n0 + tx, c00, c01, c02, c03);
        storeC(cOff, m0 + ty + 16, n0 + tx, c10, c11, c12, c13);
        storeC(cOff, m0 + ty + 32, n0 + tx, c20, c21, c22, c23);
        storeC(cOff, m0 + ty + 48, n0 + tx, c30, c31, c32, c33);
    }

    private void storeC(int cOff, int row, int col, float v0, float v1, float v2, float v3) {
        if (row < meta[0]) {
            int base = cOff + row * meta[10];
            storeC1(base, col, v0);
            storeC1(base, col + 16, v1);
            storeC1(base, col + 32, v2);
            storeC1(base, col + 48, v3);
        }
    }

    private void storeC1(int base, int col, float v) {
        if (col < meta[1]) {
            int at = base + col * meta[11];
            if (meta[12] != 0) f[at] = f[at] + v;
            else f[at] = v;
        }
    }
}
