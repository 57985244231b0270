package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.backend.View;


import java.util.Arrays;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/**
 * Batched float32 matmul on the packed SGEMM ({@link Sgemm}): arbitrary strides on A and B (transposes are packed, not
 * copied), a dense output; batches in parallel when there are at least as many as threads, else each GEMM in parallel.
 * A product with at most 4 rows of A takes one pass over B instead ({@link SmallRowsMatmul}).
 */
final class JvmLinAlg {
    private JvmLinAlg() {}

    /**
     * out[M, N] = x[M, K] · w[N, K]ᵀ for a constant weight: wᵀ is packed once into packed ({@link PackedB}) and read in
     * place on every later call, where {@link #matmul} packs it again per call (a transpose of the whole weight, which
     * for the ViT's 197-row products cost about a sixth of the time). The same K blocks and sums as matmul: the same bits.
     */
    static void linearInference(WorkerPool pool, View x, View w, PackedWeights packed, View out) {
        int m = x.shape()[0], k = x.shape()[1], n = w.shape()[0];
        float[] xs = f(x), ws = f(w), cs = f(out);
        if (SmallRowsMatmul.applies(m, 1, 1, k)) {   // as matmul takes wᵀ (row stride 1, column stride k): one pass over w
            SmallRowsMatmul.multiply(pool, m, n, k, xs, x.offset(), k, ws, w.offset(), 1, k, cs, out.offset());
            return;
        }
        PackedB wt = packed.get(w.storage(), "linear", key -> PackedB.of(PanelSource.strided(ws, w.offset(), 1, k), k, n));
        Sgemm.gemm(pool, m, n, k, PanelSource.strided(xs, x.offset(), k, 1), wt, cs, out.offset(), n, true);
    }

    static void matmul(WorkerPool pool, View a, View b, View dst) {
        int r = a.rank(), m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
        int batches = dst.numel() / Math.max(1, m * n);
        float[] as = f(a), bs = f(b), cs = f(dst);
        int[] batchShape = Arrays.copyOf(a.shape(), r - 2);
        int ars = a.strides()[r - 2], acs = a.strides()[r - 1], brs = b.strides()[r - 2], bcs = b.strides()[r - 1];
        boolean perBatch = batches >= pool.threads();
        pool.forRange(perBatch ? batches : 1, t0 -> {
            for (int bi = perBatch ? t0 : 0; bi < (perBatch ? t0 + 1 : batches); bi++) {
                int ao = a.offset(), bo = b.offset(), rem = bi;
                for (int d = batchShape.length - 1; d >= 0; d--) {
                    int i = rem % batchShape[d];
                    rem /= batchShape[d];
                    ao += i * a.strides()[d];
                    bo += i * b.strides()[d];
                }
                int co = dst.offset() + bi * m * n;
                if (SmallRowsMatmul.applies(m, acs, brs, bcs)) {
                    SmallRowsMatmul.multiply(perBatch ? null : pool, m, n, k, as, ao, ars, bs, bo, brs, bcs, cs, co);
                    continue;
                }
                PanelSource pa = PanelSource.strided(as, ao, ars, acs), pb = PanelSource.strided(bs, bo, brs, bcs);
                if (perBatch) Sgemm.gemm(0, m, 0, n, k, pa, pb, cs, co, n, true);
                else Sgemm.gemm(pool, m, n, k, pa, pb, cs, co, n, true);
            }
        });
    }
}
