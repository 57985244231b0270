package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.View;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.TornadoLinAlgKernel.*;

/**
 * Host side of the linear-algebra family: batched matmul and the strided GEMM launch that convolution reuses, with one
 * of two kernels: local-memory tiles with 4 x 4 outputs per work-item ({@link TornadoLinAlgKernel}, for GPUs) or 8 x 16
 * outputs per work-item in vector registers ({@link TornadoGemmVectorKernel}, for CPU OpenCL drivers).
 */
final class TornadoLinAlg extends DeviceOps {
    /** Which GEMM kernel runs: TILED for GPUs and accelerators, VECTOR for CPU devices. */
    enum Gemm { TILED, VECTOR }

    private final Gemm gemm;
    private final TornadoPointwise pointwise;

    TornadoLinAlg(DeviceArena arena, Gemm gemm, TornadoPointwise pointwise) {
        super(arena);
        this.gemm = gemm;
        this.pointwise = pointwise;
    }

    void matmul(View a, View b, View dst) {
        requireF32("matmul", a, b, dst);
        int r = a.rank(), m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
        if (r - 2 > 6) throw new IllegalArgumentException("tornado matmul: more than 6 batch dims");
        if (k == 0) {
            zero(dst);
            return;
        }
        if (gemm == Gemm.VECTOR && n > 1 && b.strides()[r - 1] != 1) b = dense(b);
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
        View copy = null;
        if (gemm == Gemm.VECTOR && n > 1 && bn != 1) {
            // the vector kernel reads B's rows as vectors: a contiguous copy of a B with strided rows
            copy = temp(batch, k, n);
            View src = arenaView(b, new int[]{batch, k, n}, new int[]{bBatch, bk, bn});
            strided(copy.shape(), src, copy);
            launch(Kernel.COPY, batch * k * n);
            b = at(copy);
            bk = n;
            bn = 1;
            bBatch = k * n;
        }
        View sum = null;
        int target = c, targetM = cm, targetN = cn, targetBatch = cBatch;
        if (gemm == Gemm.VECTOR && accumulate) {
            // the vector kernel overwrites C: the product goes to a temporary that is then added
            sum = temp(batch, m, n);
            target = at(sum);
            targetM = n;
            targetN = 1;
            targetBatch = m * n;
        }
        IntArray meta = meta();
        args(meta, m, n, k, a, am, ak, b, bk, bn, target, targetM, targetN, accumulate && sum == null ? 1 : 0, 1, batch);
        meta.set(A_BATCH, aBatch);
        meta.set(B_BATCH, bBatch);
        meta.set(C_BATCH, targetBatch);
        launchGemm(m, n, batch);
        if (sum != null) {
            View into = arenaView(c, new int[]{batch, m, n}, new int[]{cBatch, cm, cn});
            pointwise.binary(BinaryOp.ADD, into, sum, into);
        }
        java.lang.ref.Reference.reachabilityFence(copy);
    }

    private void launchGemm(int m, int n, int batch) {
        if (m <= 0 || n <= 0 || batch <= 0) return;
        plan().meta.set(Meta.N, 1);
        if (gemm == Gemm.TILED) {
            int gx = (n + TILE - 1) / TILE * LOCAL, gy = (m + TILE - 1) / TILE * LOCAL;
            plan().launch(Kernel.GEMM, gx, gy, batch, LOCAL, LOCAL, 1);
        } else {
            int colBlocks = Math.ceilDiv(n, TornadoGemmVectorKernel.NR), rowBlocks = Math.ceilDiv(m, TornadoGemmVectorKernel.MR);
            int lx = groupFor(colBlocks, 16);
            plan().launch(Kernel.GEMM_VECTOR, Math.ceilDiv(colBlocks, lx) * lx, rowBlocks, batch, lx, 1, 1);
        }
    }
}
