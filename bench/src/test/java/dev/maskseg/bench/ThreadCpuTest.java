package dev.maskseg.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ThreadCpuTest {
    @Test
    void threadNamesAsProcShowsThemFallIntoKinds() {
        assertEquals("gc", ThreadCpu.kind("GC Thread#0"));
        assertEquals("gc", ThreadCpu.kind("G1 Conc#0"));
        assertEquals("jit", ThreadCpu.kind("C2 CompilerThre"));
        assertEquals("jit", ThreadCpu.kind("C1 CompilerThre"));
        assertEquals("compute", ThreadCpu.kind("maskseg-jvm-1"));
        assertEquals("other", ThreadCpu.kind("Signal Dispatch"));
    }

    @Test
    void busyCallingThreadShowsUpAsComputeTime() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        Map<String, Double> before = ThreadCpu.snapshotMs();
        // busy until this thread has used 300 ms of CPU (by the JVM's own count: the box may be loaded)
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        long end = bean.getCurrentThreadCpuTime() + 300_000_000L;
        double x = 0;
        while (bean.getCurrentThreadCpuTime() < end) for (int i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
        Map<String, Double> delta = ThreadCpu.delta(before, ThreadCpu.snapshotMs(), 1);
        double all = delta.values().stream().mapToDouble(Double::doubleValue).sum();
        assertTrue(all >= 250 && x > 0, "300 ms of this thread's CPU time shows in /proc: " + delta);
    }
}
