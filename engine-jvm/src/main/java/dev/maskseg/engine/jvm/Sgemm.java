package dev.maskseg.engine.jvm;


/**
 * Packed, blocked SGEMM in the BLIS loop order: C[m x n] += A[m x k] * B[k x n], C row-major (ldc).
 * B is packed in KC x NC panels of NR-wide slivers (L3/L2), A in MC x KC blocks of MR-high slivers
 * (L2); the innermost loop walks the A slivers against one B sliver that stays in L1, and the
 * {@link MicroKernel} holds an MR x NR tile of C in registers, accumulating straight into C for full
 * tiles. Packing buffers are per thread and reused, so the loops allocate nothing.
 */
final class Sgemm {
    static final int MR = MicroKernel.MR, NR = MicroKernel.NR;
    /**
     * The largest K block. Long K blocks measured fastest on Zen 4 (1024³, one thread: KC 256 → 92, 1024 → 103
     * GFLOP/s): fewer kernel entries and C tile round trips, while the streamed B sliver is prefetched well from L2.
     */
    static final int KC = Integer.getInteger("maskseg.sgemm.kc", 1024);
    static final int MC = Integer.getInteger("maskseg.sgemm.mc", 48) / MR * MR;
    static final int NC = Math.max(1, 1024 / NR) * NR;

    /** Per-thread packing space. */
    private static final class Buffers {
        final float[] a = new float[MC * KC], b = new float[KC * NC], tile = new float[MR * NR];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Sgemm() {}

    /** Single-threaded over rows [i0, i1) and columns [j0, j1) of C: C += A * B. */
    static void gemm(int i0, int i1, int j0, int j1, int k, PanelSource a, PanelSource b, float[] c, int co, int ldc) {
        gemm(i0, i1, j0, j1, k, a, b, c, co, ldc, false);
    }

    /**
     * With {@code overwrite}, C = A * B and C's old contents are never read: the first K block stores its tiles
     * instead of loading and adding to them, which saves the caller a zero fill and the kernel a cache miss per tile.
     */
    static void gemm(int i0, int i1, int j0, int j1, int k, PanelSource a, PanelSource b, float[] c, int co, int ldc, boolean overwrite) {
        if (k == 0) {
            if (overwrite) for (int i = i0; i < i1; i++) java.util.Arrays.fill(c, co + i * ldc + j0, co + i * ldc + j1, 0f);
            return;
        }
        Buffers bufs = BUFFERS.get();
        float[] tile = bufs.tile;
        // prepacked operands are read in place; their slivers start at multiples of MR / NR, as every caller's ranges do
        PackedA pre = a instanceof PackedA packed && i0 % MR == 0 ? packed : null;
        PackedB preB = b instanceof PackedB packed && j0 % NR == 0 ? packed : null;
        float[] ap = pre == null ? bufs.a : pre.data, bp = preB == null ? bufs.b : preB.data;
        int kStep = Math.ceilDiv(k, Math.ceilDiv(k, KC)); // equal K blocks, no short remainder block
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                boolean add = pc > 0 || !overwrite;
                if (preB == null) b.packSlivers(pc, kc, jc, nc, NR, bp);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    if (pre == null) packA(a, ic, mc, pc, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr), bo = preB == null ? (jr / NR) * kc * NR : preB.offset(jc + jr, pc);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir), ao = pre == null ? (ir / MR) * kc * MR : pre.offset(ic + ir, pc);
                            int cOff = co + (ic + ir) * ldc + jc + jr;
                            if (mr == MR && nr == NR) {
                                MicroKernel.run(kc, ap, ao, bp, bo, c, cOff, ldc, add);
                            } else {
                                MicroKernel.run(kc, ap, ao, bp, bo, tile, 0, NR, false);
                                for (int i = 0; i < mr; i++) {
                                    for (int j = 0; j < nr; j++) c[cOff + i * ldc + j] = (add ? c[cOff + i * ldc + j] : 0f) + tile[i * NR + j];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void packA(PanelSource a, int ic, int mc, int pc, int kc, float[] ap) {
        for (int s = 0, ir = 0; ir < mc; s++, ir += MR) {
            int mr = Math.min(MR, mc - ir), off = s * kc * MR;
            if (mr < MR) java.util.Arrays.fill(ap, off, off + kc * MR, 0f);
            a.copyBlock(ic + ir, mr, pc, kc, ap, off, 1, MR);
        }
    }


    /**
     * Splits C into row or column stripes over the pool's threads: C += A * B. Each thread packs the operand blocks its
     * stripe reads, so a row split packs all of B on every thread and a column split all of A. Where both directions
     * give every thread at least two blocks, the split packs less in all ({@link #splitRows}); a ViT MLP product (197 x
     * 1536 x 384) packed 1.5 M floats a thread split by rows and 0.37 M by columns, and ran 7-10% faster on two threads.
     */
    static void gemm(WorkerPool pool, int m, int n, int k, PanelSource a, PanelSource b, float[] c, int co, int ldc) {
        gemm(pool, m, n, k, a, b, c, co, ldc, false);
    }

    /** As above; with {@code overwrite}, C = A * B (see the single-threaded overload). */
    static void gemm(WorkerPool pool, int m, int n, int k, PanelSource a, PanelSource b, float[] c, int co, int ldc, boolean overwrite) {
        if (m == 0 || n == 0) return;
        long flops = 2L * m * n * k;
        int threads = flops < 2_000_000 ? 1 : pool.threads();
        if (threads == 1) {
            gemm(0, m, 0, n, k, a, b, c, co, ldc, overwrite);
            return;
        }
        int rowBlocks = Math.ceilDiv(m, MR), colBlocks = Math.ceilDiv(n, NR);
        if (splitRows(m, n, k, threads, a instanceof PackedA, b instanceof PackedB)) {
            int tasks = Math.min(threads, rowBlocks);
            pool.forRange(tasks, t -> {
                int lo = rowBlocks * t / tasks * MR, hi = Math.min(m, rowBlocks * (t + 1) / tasks * MR);
                if (lo < hi) gemm(lo, hi, 0, n, k, a, b, c, co, ldc, overwrite);
            });
        } else {
            int tasks = Math.min(threads, colBlocks);
            pool.forRange(tasks, t -> {
                int lo = colBlocks * t / tasks * NR, hi = Math.min(n, colBlocks * (t + 1) / tasks * NR);
                if (lo < hi) gemm(0, m, lo, hi, k, a, b, c, co, ldc, overwrite);
            });
        }
    }

    /**
     * Row stripes (else column stripes) for a threaded m x n x k product. With at least two blocks a thread either way,
     * the direction whose duplicated packing is smaller (prepacked operands are not packed again); otherwise rows where
     * they give each thread two blocks or outnumber the column blocks.
     */
    static boolean splitRows(int m, int n, int k, int threads, boolean aPacked, boolean bPacked) {
        int rowBlocks = Math.ceilDiv(m, MR), colBlocks = Math.ceilDiv(n, NR);
        if (rowBlocks >= 2 * threads && colBlocks >= 2 * threads) {
            long aFloats = aPacked ? 0 : (long) m * k, bFloats = bPacked ? 0 : (long) k * n;
            long byRows = aFloats / threads + bFloats, byCols = aFloats + bFloats / threads;
            if (byRows != byCols) return byRows < byCols;
        }
        return rowBlocks >= 2 * threads || rowBlocks >= colBlocks;
    }
}
