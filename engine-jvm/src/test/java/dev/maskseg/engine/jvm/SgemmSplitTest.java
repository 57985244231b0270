package dev.maskseg.engine.jvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a threaded GEMM is cut between threads, and that every cut gives the single thread's bits. */
class SgemmSplitTest {
    @Test
    void splitsTheWayThatPacksLess() {
        int v = Sgemm.NR / 2;
        // square: packing the same either way, rows as before
        assertTrue(Sgemm.splitRows(1024, 1024, 1024, 2, false, false));
        // a ViT MLP product: B (k x n) is four times A (m x k) -> columns, so no thread packs all of B
        assertFalse(Sgemm.splitRows(197, 1536, 384, 2, false, false));
        // tall: rows
        assertTrue(Sgemm.splitRows(3136, 64, 256, 2, false, false));
        // a prepacked operand costs nothing to share: split along it
        assertFalse(Sgemm.splitRows(1024, 1024, 1024, 2, true, false));
        assertTrue(Sgemm.splitRows(1024, 1024, 1024, 2, false, true));
        // too few column blocks for two threads each: rows, whatever the packing
        assertTrue(Sgemm.splitRows(64, 3 * v * 2, 512, 2, false, false));
        // too few row blocks: columns where they outnumber rows
        assertFalse(Sgemm.splitRows(Sgemm.MR * 3, 4096, 64, 2, false, false));
    }

    @ParameterizedTest(name = "{0}x{1}x{2}, {3} threads, A prepacked {4}, B prepacked {5}")
    @CsvSource({
            "197, 1536, 384, 2, false, false",
            "197, 384, 1152, 3, false, false",
            "300, 200, 70, 2, false, false",
            "96, 600, 40, 2, true, false",
            "500, 96, 40, 2, false, true",
            "37, 1000, 19, 3, false, false"})
    void everySplitMatchesOneThread(int m, int n, int k, int threads, boolean aPrepacked, boolean bPrepacked) {
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) Math.sin(0.37 * i);
        for (int i = 0; i < b.length; i++) b[i] = (float) Math.cos(0.11 * i);
        PanelSource pa = PanelSource.strided(a, 0, k, 1), pb = PanelSource.strided(b, 0, n, 1);
        PanelSource ta = aPrepacked ? PackedA.of(pa, m, k) : pa, tb = bPrepacked ? PackedB.of(pb, k, n) : pb;
        float[] one = new float[m * n], many = new float[m * n];
        java.util.Arrays.fill(many, Float.NaN);   // overwrite must not read what was there
        Sgemm.gemm(0, m, 0, n, k, pa, pb, one, 0, n, true);
        Sgemm.gemm(new WorkerPool(threads), m, n, k, ta, tb, many, 0, n, true);
        assertArrayEquals(one, many);
    }
}
