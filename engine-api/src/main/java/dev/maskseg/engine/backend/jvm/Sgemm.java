package dev.maskseg.engine.backend.jvm;

/**
 * Packed, blocked SGEMM: C[m x n] += A[m x k] * B[k x n], C row-major (ldc). B is packed in
 * KC x NC panels of NR-wide slivers (kept in L2), A in MR x KC slivers (kept in L1), and the
 * {@link MicroKernel} holds an MR x NR tile of C in registers. Packing buffers are per thread and
 * reused, so the loops allocate nothing.
 */
final class Sgemm {
    static final int MR = MicroKernel.MR, NR = MicroKernel.NR;
    static final int KC = 256;
    static final int NC = 512;

    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][]{new float[MR * KC], new float[KC * NC], new float[MR * NR]});

    private Sgemm() {}

    /** Single-threaded over rows [i0, i1) and columns [j0, j1) of C. */
    static void gemm(int i0, int i1, int j0, int j1, int k, PanelSource a, PanelSource b, float[] c, int co, int ldc) {
        float[][] bufs = BUFFERS.get();
        float[] ap = bufs[0], bp = bufs[1], tile = bufs[2];
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(b, pc, kc, jc, nc, bp);
                for (int ic = i0; ic < i1; ic += MR) {
                    int mr = Math.min(MR, i1 - ic);
                    if (mr < MR) java.util.Arrays.fill(ap, 0, MR * kc, 0f);
                    a.copyBlock(ic, mr, pc, kc, ap, 0, 1, MR);
                    for (int jr = 0; jr < nc; jr += NR) {
                        MicroKernel.run(kc, ap, 0, bp, (jr / NR) * kc * NR, tile);
                        addTile(tile, c, co + ic * ldc + jc + jr, ldc, mr, Math.min(NR, nc - jr));
                    }
                }
            }
        }
    }

    private static final jdk.incubator.vector.VectorSpecies<Float> S = MicroKernel.S;

    /** C[0..mr, 0..nr] += tile; full tiles take the vector path. */
    private static void addTile(float[] tile, float[] c, int co, int ldc, int mr, int nr) {
        if (nr == NR) {
            for (int i = 0; i < mr; i++) {
                for (int j = 0; j < NR; j += S.length()) {
                    var v = jdk.incubator.vector.FloatVector.fromArray(S, tile, i * NR + j);
                    v.add(jdk.incubator.vector.FloatVector.fromArray(S, c, co + i * ldc + j)).intoArray(c, co + i * ldc + j);
                }
            }
            return;
        }
        for (int i = 0; i < mr; i++) for (int j = 0; j < nr; j++) c[co + i * ldc + j] += tile[i * NR + j];
    }

    private static void packB(PanelSource b, int pc, int kc, int jc, int nc, float[] bp) {
        for (int s = 0, jr = 0; jr < nc; s++, jr += NR) {
            int nr = Math.min(NR, nc - jr), off = s * kc * NR;
            if (nr < NR) java.util.Arrays.fill(bp, off, off + kc * NR, 0f);
            b.copyBlock(pc, kc, jc + jr, nr, bp, off, NR, 1);
        }
    }

    /** Splits C into row or column stripes over the pool's threads. */
    static void gemm(WorkerPool pool, int m, int n, int k, PanelSource a, PanelSource b, float[] c, int co, int ldc) {
        if (m == 0 || n == 0) return;
        long flops = 2L * m * n * k;
        int threads = flops < 2_000_000 ? 1 : pool.threads();
        if (threads == 1) {
            gemm(0, m, 0, n, k, a, b, c, co, ldc);
            return;
        }
        int rowBlocks = Math.ceilDiv(m, MR), colBlocks = Math.ceilDiv(n, NR);
        if (rowBlocks >= 2 * threads || rowBlocks >= colBlocks) {
            int tasks = Math.min(threads, rowBlocks);
            pool.forRange(tasks, t -> {
                int lo = rowBlocks * t / tasks * MR, hi = Math.min(m, rowBlocks * (t + 1) / tasks * MR);
                if (lo < hi) gemm(lo, hi, 0, n, k, a, b, c, co, ldc);
            });
        } else {
            int tasks = Math.min(threads, colBlocks);
            pool.forRange(tasks, t -> {
                int lo = colBlocks * t / tasks * NR, hi = Math.min(n, colBlocks * (t + 1) / tasks * NR);
                if (lo < hi) gemm(0, m, lo, hi, k, a, b, c, co, ldc);
            });
        }
    }
}
