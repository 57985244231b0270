package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.View;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.TornadoLinAlgKernel.*;

/** Host side of the linear-algebra family: batched matmul and the strided GEMM launch that convolution reuses. */
final class TornadoLinAlg extends DeviceOps {
    TornadoLinAlg(DeviceArena arena) {
        super(arena);
    }

    void matmul(View a, View b, View dst) {
        requireF32("matmul", a, b, dst);
        int r = a.rank(), m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
        if (r - 2 > 6) throw new IllegalArgumentException("tornado matmul: more than 6 batch dims");
        if (k == 0) {
            zero(dst);
            return;
        }
        IntArray meta = meta();
        args(meta, m, n, k, at(a), a.strides()[r - 2], a.strides()[r - 1], at(b), b.strides()[r - 2], b.strides()[r - 1],
                at(dst), dst.strides()[r - 2], dst.strides()[r - 1], 0, r - 2);
        int batch = 1;
        for (int i = 0; i < r - 2; i++) {
            meta.set(BATCH_SHAPE + i, a.shape()[i]);
            meta.set(A_BATCH + i, a.strides()[i]);
            meta.set(B_BATCH + i, b.strides()[i]);
            meta.set(C_BATCH + i, dst.strides()[i]);
            batch *= a.shape()[i];
        }
        launchGemm(m, n, batch);
    }

    /** One GEMM launch: C[b] (+)= A[b] @ B[b] for b over a 1-d batch with the given element strides. */
    void gemm(int m, int n, int k, int a, int am, int ak, int b, int bk, int bn, int c, int cm, int cn,
              boolean accumulate, int batch, int aBatch, int bBatch, int cBatch) {
        IntArray meta = meta();
        args(meta, m, n, k, a, am, ak, b, bk, bn, c, cm, cn, accumulate ? 1 : 0, 1, batch);
        meta.set(A_BATCH, aBatch);
        meta.set(B_BATCH, bBatch);
        meta.set(C_BATCH, cBatch);
        launchGemm(m, n, batch);
    }

    private void launchGemm(int m, int n, int batch) {
        if (m <= 0 || n <= 0 || batch <= 0) return;
        int gx = (n + TILE - 1) / TILE * LOCAL, gy = (m + TILE - 1) / TILE * LOCAL;
        plan().meta.set(Meta.N, 1);
        plan().launch(Kernel.GEMM, gx, gy, batch, LOCAL, LOCAL, 1);
    }
}
