package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.backend.View;

import static dev.maskseg.engine.aparapi.ArenaKernel.*;

/** Host side of the linear-algebra family: batched matmul and the strided GEMM launch that convolution reuses. */
final class AparapiLinAlg extends DeviceOps {
    AparapiLinAlg(AparapiBackend be) {
        super(be);
    }

    void matmul(View a, View b, View dst) {
        requireF32("matmul", a, b, dst);
        int r = a.rank(), m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
        if (r - 2 > 6) throw new IllegalArgumentException("aparapi matmul: more than 6 batch dims");
        int[] meta = l.meta();
        int[] head = {m, n, k, Launcher.at(a), a.strides()[r - 2], a.strides()[r - 1], Launcher.at(b),
                b.strides()[r - 2], b.strides()[r - 1], Launcher.at(dst), dst.strides()[r - 2], dst.strides()[r - 1], 0, r - 2};
        System.arraycopy(head, 0, meta, 0, head.length);
        int batch = 1;
        for (int i = 0; i < r - 2; i++) {
            meta[14 + i] = a.shape()[i];
            meta[20 + i] = a.strides()[i];
            meta[26 + i] = b.strides()[i];
            meta[32 + i] = dst.strides()[i];
            batch *= a.shape()[i];
        }
        if (k == 0) {
            zero(dst);
            return;
        }
        l.launchGemm(m, n, batch);
    }

    /** One GEMM launch: C[b] (+)= A[b] @ B[b] for b over a 1-d batch with the given element strides. */
    void gemm(int m, int n, int k, int a, int am, int ak, int b, int bk, int bn, int c, int cm, int cn,
              boolean accumulate, int batch, int aBatch, int bBatch, int cBatch) {
        int[] meta = l.meta();
        int[] head = {m, n, k, a, am, ak, b, bk, bn, c, cm, cn, accumulate ? 1 : 0, 1, batch};
        System.arraycopy(head, 0, meta, 0, head.length);
        meta[20] = aBatch;
        meta[26] = bBatch;
        meta[32] = cBatch;
        l.launchGemm(m, n, batch);
    }
}
