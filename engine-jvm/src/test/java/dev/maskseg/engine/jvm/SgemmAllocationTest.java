package dev.maskseg.engine.jvm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Once compiled, the GEMM loops allocate nothing (vectors stay in registers, packing buffers are reused), for a plain B and for a transposed weight (x·Wᵀ). */
class SgemmAllocationTest {
    @ParameterizedTest(name = "B transposed: {0}")
    @ValueSource(booleans = {false, true})
    void gemmLoopsDoNotAllocate(boolean bTransposed) {
        int m = 96, n = 128, k = 300;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) Math.sin(i);
        for (int i = 0; i < b.length; i++) b[i] = (float) Math.cos(i);
        PanelSource pa = PanelSource.strided(a, 0, k, 1), pb = bTransposed ? PanelSource.strided(b, 0, 1, k) : PanelSource.strided(b, 0, n, 1);
        for (int i = 0; i < 3000; i++) Sgemm.gemm(0, m, 0, n, k, pa, pb, c, 0, n);
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long before = bean.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 20; i++) Sgemm.gemm(0, m, 0, n, k, pa, pb, c, 0, n);
        long per = (bean.getThreadAllocatedBytes(tid) - before) / 20;
        // a boxed vector per FMA would be tens of MB per call
        assertTrue(per < 1024, "SGEMM allocated " + per + " bytes per call");
        java.util.Arrays.fill(c, 0);
        Sgemm.gemm(0, m, 0, n, k, pa, pb, c, 0, n);
        double ref = 0;
        for (int p = 0; p < k; p++) ref += a[5 * k + p] * (bTransposed ? b[7 * k + p] : b[p * n + 7]);
        assertEquals(ref, c[5 * n + 7], 1e-3);
    }
}
