package dev.maskseg.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Steady-state timing for {@code maskseg bench}. A JVM needs a while before its numbers mean anything: the JIT compiles
 * the Vector API kernels only after enough calls and time, a new shape that takes an unseen branch deoptimizes shared
 * code, and on a two-core machine a busy compute pool starves the compiler thread. So every timing here waits for the
 * JIT to go quiet and for consecutive measurements to agree before it reports.
 */
public final class Timing {
    private static final double AGREE = 0.03;

    private Timing() {}

    /** Calls f for at least minNanos and minCalls calls (and at most 4 x minNanos once minNanos has passed). */
    static void warm(Runnable f, long minNanos, int minCalls) {
        long start = System.nanoTime();
        int calls = 0;
        while (calls < minCalls && System.nanoTime() - start < 4 * minNanos || System.nanoTime() - start < minNanos) {
            f.run();
            calls++;
        }
    }

    /**
     * Runs every case before any is timed, then again until a whole pass compiles (almost) nothing, at most 10 passes:
     * late recompilations then fall here instead of in a timing.
     */
    static void warmUntilJitSettles(List<Runnable> cases, long firstNanos, long laterNanos) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watch = jit != null && jit.isCompilationTimeMonitoringSupported();
        for (int pass = 0; pass < 10; pass++) {
            long before = watch ? jit.getTotalCompilationTime() : 0;
            for (Runnable c : cases) warm(c, pass == 0 ? firstNanos : laterNanos, 30);
            if (!watch || jit.getTotalCompilationTime() - before < 20) return;
        }
    }

    /** A median wall time and the process CPU time per call over the same calls (every thread, JIT and GC included). */
    public record Result(double medianMs, double cpuMsPerCall) {}

    /** The median of as many calls as fit in budgetNanos, at least minCalls and at most maxCalls. */
    static double medianMs(Runnable f, long budgetNanos, int minCalls, int maxCalls) {
        return timed(f, budgetNanos, minCalls, maxCalls).medianMs();
    }

    public static Result timed(Runnable f, long budgetNanos, int minCalls, int maxCalls) {
        List<Double> ms = new ArrayList<>();
        long start = System.nanoTime(), cpu0 = processCpuNanos();
        while (ms.size() < minCalls || (System.nanoTime() - start < budgetNanos && ms.size() < maxCalls)) {
            long t0 = System.nanoTime();
            f.run();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        double cpu = (processCpuNanos() - cpu0) / 1e6 / ms.size();
        ms.sort(Double::compare);
        return new Result(ms.get(ms.size() / 2), cpu);
    }

    /** CPU time of this process so far (0 where the platform does not say). */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    /**
     * Waits (at most maxMillis) until the JIT has compiled nothing for quietMillis, so that a peer measured next has the
     * machine to itself rather than sharing it with our compiler threads.
     */
    static void waitForQuietJit(long quietMillis, long maxMillis) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) return;
        long end = System.currentTimeMillis() + maxMillis, last = jit.getTotalCompilationTime(), quietSince = System.currentTimeMillis();
        while (System.currentTimeMillis() < end && System.currentTimeMillis() - quietSince < quietMillis) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = jit.getTotalCompilationTime();
            if (now != last) {
                last = now;
                quietSince = System.currentTimeMillis();
            }
        }
    }

    /**
     * Measures windows of windowNanos until two consecutive window medians agree within 3% (at most maxWindows), then
     * reports the median of one final window of finalNanos.
     */
    static double steadyMedianMs(Runnable f, long windowNanos, int minCalls, int maxWindows, long finalNanos, int maxCalls) {
        return steady(f, windowNanos, minCalls, maxWindows, finalNanos, maxCalls).medianMs();
    }

    static Result steady(Runnable f, long windowNanos, int minCalls, int maxWindows, long finalNanos, int maxCalls) {
        return steady(f, windowNanos, minCalls, maxWindows, finalNanos, minCalls, maxCalls);
    }

    /** The same with its own least number of calls in the final window. */
    static Result steady(Runnable f, long windowNanos, int minCalls, int maxWindows, long finalNanos, int finalMinCalls, int maxCalls) {
        double previous = Double.MAX_VALUE;
        for (int w = 0; w < maxWindows; w++) {
            double med = medianMs(f, windowNanos, minCalls, maxCalls);
            if (Math.abs(med - previous) <= AGREE * Math.min(med, previous)) break;
            previous = med;
        }
        return timed(f, finalNanos, finalMinCalls, maxCalls);
    }
}
