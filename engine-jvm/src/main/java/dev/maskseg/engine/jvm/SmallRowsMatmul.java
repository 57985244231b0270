package dev.maskseg.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[m x n] = A · B for an A of at most {@link #MAX_ROWS} rows (a classifier or linear head on pooled features): one pass
 * over B, which is what such a product costs, where the packed GEMM would fill 1-4 of its 8 micro-kernel rows and pack
 * all of B (transposing it for a linear layer's Wᵀ) first. A's rows must be contiguous in k; B either has contiguous
 * columns (Wᵀ of a row-major W: each C element a dot product) or contiguous rows (C rows as sums of scaled B rows).
 */
final class SmallRowsMatmul {
    static final int MAX_ROWS = 4;
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length();
    /** The fewest columns of C worth a task of their own. */
    private static final int COLUMNS_PER_TASK = 64;

    private SmallRowsMatmul() {}

    static boolean applies(int m, int acs, int brs, int bcs) {
        return m <= MAX_ROWS && acs == 1 && (brs == 1 || bcs == 1);
    }

    /** Overwrites c[co + i * n + j]; a row i starts at ao + i * ars, B element (k, j) is b[bo + k * brs + j * bcs]. */
    static void multiply(WorkerPool pool, int m, int n, int k, float[] a, int ao, int ars, float[] b, int bo, int brs, int bcs,
                         float[] c, int co) {
        int tasks = pool == null ? 1 : pool.tasks(Math.ceilDiv(n, COLUMNS_PER_TASK), (long) m * n * k, 65_536);
        if (tasks <= 1) {
            columns(0, n, m, n, k, a, ao, ars, b, bo, brs, bcs, c, co);
            return;
        }
        pool.forRange(tasks, t -> {
            int j0 = (int) ((long) n * t / tasks), j1 = (int) ((long) n * (t + 1) / tasks);
            columns(j0, j1, m, n, k, a, ao, ars, b, bo, brs, bcs, c, co);
        });
    }

    private static void columns(int j0, int j1, int m, int n, int k, float[] a, int ao, int ars, float[] b, int bo, int brs, int bcs,
                                float[] c, int co) {
        if (brs == 1) {
            for (int j = j0; j < j1; j++) {
                for (int i = 0; i < m; i++) c[co + i * n + j] = dot(a, ao + i * ars, b, bo + j * bcs, k);
            }
        } else {   // B's rows outermost, so each piece of B is read once for all of A's rows
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, co + i * n + j0, co + i * n + j1, 0f);
            for (int kk = 0; kk < k; kk++) {
                for (int i = 0; i < m; i++) axpy(a[ao + i * ars + kk], b, bo + kk * brs, c, co + i * n, j0, j1);
            }
        }
    }

    private static float dot(float[] x, int xo, float[] y, int yo, int k) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * V <= k; i += 2 * V) {
            acc0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc0);
            acc1 = FloatVector.fromArray(S, x, xo + i + V).fma(FloatVector.fromArray(S, y, yo + i + V), acc1);
        }
        for (; i + V <= k; i += V) acc0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc0);
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < k; i++) sum += x[xo + i] * y[yo + i];
        return sum;
    }

    /** c[co + j] += s · b[bo + j] for j in [j0, j1). */
    private static void axpy(float s, float[] b, int bo, float[] c, int co, int j0, int j1) {
        FloatVector sv = FloatVector.broadcast(S, s);
        int j = j0;
        for (; j + V <= j1; j += V) {
            sv.fma(FloatVector.fromArray(S, b, bo + j), FloatVector.fromArray(S, c, co + j)).intoArray(c, co + j);
        }
        for (; j < j1; j++) c[co + j] += s * b[bo + j];
    }
}
