package dev.maskseg.bench;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The memory a training step needs, found the only way a garbage-collected heap tells it: the smallest -Xmx with
 * which a fresh JVM completes two steps (the first creates the optimizer state, the second runs with it), by bisection
 * over child JVMs started with this JVM's flags and class path. Heap used at any moment also counts garbage not yet
 * collected, so it says how much a JVM happened to use, not how much it needs. The answer is reported to within 5%
 * (or 32 MiB); a child that runs past its time limit counts as too small (it was thrashing the collector).
 */
public final class MinHeap {
    private static final int OUT_OF_MEMORY = 3;

    private MinHeap() {}

    /** Child entry point: args = case id, backend name, threads, steps. Exits 3 on OutOfMemoryError. */
    public static void main(String[] args) {
        try {
            Backend be = Backends.get(args[1], BackendOptions.threads(Integer.parseInt(args[2])));
            Backends.setDefault(be);
            Runnable step = TrainCases.byId(args[0]).setup().apply(be);
            for (int i = 0, n = Integer.parseInt(args[3]); i < n; i++) step.run();
            System.exit(0);
        } catch (OutOfMemoryError e) {
            System.exit(OUT_OF_MEMORY);
        }
    }

    /**
     * The smallest heap (MiB) in which the case completes, searched from a first guess; -1 when even the largest heap
     * tried failed or a child could not be started.
     */
    static int search(String caseId, Backend be, int guessMb, long timeoutMinutes) {
        int hi = Math.max(256, guessMb), lo = 0, limit = (int) (Runtime.getRuntime().maxMemory() >> 20) * 2;
        while (!fits(caseId, be, hi, timeoutMinutes)) {
            lo = hi;
            hi *= 2;
            if (hi > limit) return -1;
        }
        if (lo == 0) {   // the guess fitted: look below it
            lo = hi / 2;
            while (lo >= 128 && fits(caseId, be, lo, timeoutMinutes)) {
                hi = lo;
                lo /= 2;
            }
        }
        while (hi - lo > Math.max(32, hi / 20)) {
            int mid = (lo + hi) / 2;
            if (fits(caseId, be, mid, timeoutMinutes)) hi = mid;
            else lo = mid;
        }
        return hi;
    }

    private static boolean fits(String caseId, Backend be, int heapMb, long timeoutMinutes) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-Xmx") && !a.startsWith("-Xms") && !a.startsWith("-XX:MaxRAM") && !a.startsWith("-agentlib")) cmd.add(a);
        }
        cmd.addAll(List.of("-Xmx" + heapMb + "m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                MinHeap.class.getName(), caseId, be.name(), Integer.toString(Math.max(1, be.threads())), "2"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
            if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                System.err.printf("min heap: %s in %d MiB: over %d min, counted as too small%n", caseId, heapMb, timeoutMinutes);
                return false;
            }
            boolean ok = p.exitValue() == 0;
            System.err.printf("min heap: %s in %d MiB: %s%n", caseId, heapMb, ok ? "completes" : "out of memory (exit " + p.exitValue() + ")");
            return ok;
        } catch (Exception e) {
            System.err.println("min heap: could not start a child JVM: " + e.getMessage());
            return false;
        }
    }
}
