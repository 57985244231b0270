package dev.maskseg.bench;

import dev.maskseg.engine.backend.Backend;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The training-step cases ({@link TrainCases}) timed on one backend instance: the wall time of a step (median), the
 * process CPU time of the same steps, and the memory of one step ({@link MemoryProbe}). With a profile, the one-thread
 * instance also prints where each case spends its CPU time, op by op ({@link OpProfile}).
 */
public final class TrainBench {
    /**
     * One JSON record. cpuMs: process CPU time per step (all threads, JIT and GC included); peakMb: the memory a step
     * needs, the figure compared (ours: see {@link MemoryProbe}; a peer's: its resident-set high-water mark over the
     * first two steps, the second being the steady state with gradients and optimizer state alive); memory: how that figure was made up; peer as in {@link KernelBench.Record}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Record(String model, String shape, String mode, String backend, int threads, double ms, double imagesPerSecond,
                         double cpuMs, double peakMb, Map<String, Object> memory, Map<String, Object> peer) {
        String caseKey() { return model + " " + shape + " " + mode; }
    }

    private TrainBench() {}

    /** cases: the ids to run (empty: all); minHeap: also search the smallest heap a step runs in ({@link MinHeap}). */
    public static List<Record> run(Backend be, boolean quick, boolean profile, List<String> cases, boolean minHeap) {
        List<Record> out = new ArrayList<>();
        for (ModelCases.Case c : TrainCases.all()) {
            if (!cases.isEmpty() && !cases.contains(c.id())) continue;
            OpProfile prof = profile && be.threads() == 1 ? new OpProfile(be) : null;
            Backend instance = prof == null ? be : prof.backend();
            // the losses make some tensors (labels, indices) on the default backend: it must be the instance under test
            Backend previous = dev.maskseg.engine.backend.Backends.setDefault(instance);
            try {
                out.add(run(c, instance, be, quick, prof, minHeap));
            } finally {
                dev.maskseg.engine.backend.Backends.setDefault(previous);
            }
        }
        return out;
    }

    private static Record run(ModelCases.Case c, Backend instance, Backend be, boolean quick, OpProfile prof, boolean minHeap) {
        {
            Runnable step = c.setup().apply(instance);
            MemoryProbe.Figures mem;
            try (MemoryProbe probe = new MemoryProbe()) {
                // the first two steps, as for the peers: the first makes the optimizer state at its end, the second
                // runs with it and with the gradients of the first alive, as every later step of a training run does
                step.run();
                step.run();
                mem = probe.figures();
            }
            // warm until a step compiles (almost) nothing: the JIT's threads would otherwise share the cores with the timed steps
            int maxWarm = quick ? 4 : 8, runs = quick ? 2 : 5;
            for (int i = 0; i < maxWarm; i++) {
                long j0 = jitMillis();
                step.run();
                if (i > 0 && jitMillis() - j0 < 200) break;
            }
            double[] wall = new double[runs];
            long gc0 = gcMillis(), jit0 = jitMillis();
            Map<String, Double> threads0 = ThreadCpu.snapshotMs();
            long cpu0 = processCpuNanos();
            if (prof != null) prof.reset();
            long thread0 = OpProfile.threadCpuNanos();
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                step.run();
                wall[i] = (System.nanoTime() - t0) / 1e6;
            }
            double cpuMs = (processCpuNanos() - cpu0) / 1e6 / runs;
            double gcMs = (gcMillis() - gc0) / (double) runs, jitMs = (jitMillis() - jit0) / (double) runs;
            Map<String, Double> byThread = ThreadCpu.delta(threads0, ThreadCpu.snapshotMs(), runs);
            if (prof != null) {
                System.err.printf("%s on %s, %d steps, per-op CPU time of the calling thread:%n", c.id(), BenchBackends.describe(be), runs);
                System.err.print(prof.table(OpProfile.threadCpuNanos() - thread0, 60));
                System.err.print(prof.summary(OpProfile.threadCpuNanos() - thread0));
            }
            java.util.Arrays.sort(wall);
            double ms = wall[runs / 2];
            Map<String, Object> memory = new java.util.LinkedHashMap<>();
            memory.put("heap_peak_mb", mem.heapPeak() / 1048576.0);
            memory.put("live_after_gc_peak_mb", mem.afterGcPeak() / 1048576.0);
            memory.put("off_heap_mb", mem.offHeapPeak() / 1048576.0);
            memory.put("non_heap_mb", mem.nonHeap() / 1048576.0);
            memory.put("gc_ms_per_step", gcMs);
            memory.put("jit_ms_per_step", jitMs);
            memory.put("cpu_ms_per_step_by_thread", byThread);
            double peak = (mem.afterGcPeak() + mem.offHeapPeak() + mem.nonHeap()) / 1048576.0;
            if (minHeap) {
                int mb = MinHeap.search(c.id(), be, (int) (mem.afterGcPeak() >> 20), quick ? 10 : 20);
                memory.put("min_heap_mb", mb);
                if (mb > 0) peak = mb + (mem.offHeapPeak() + mem.nonHeap()) / 1048576.0;
            }
            memory.put("peak_is", minHeap ? "min_heap_mb + off_heap_mb + non_heap_mb" : "live_after_gc_peak_mb + off_heap_mb + non_heap_mb");
            return new Record(c.model(), c.shape(), c.mode(), be.name(), be.threads(), ms, c.images() * 1000.0 / ms, cpuMs, peak, memory, null);
        }
    }

    /** Collection time of every collector so far (for G1, pauses and concurrent cycles). */
    static long gcMillis() {
        long t = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) t += Math.max(0, gc.getCollectionTime());
        return t;
    }

    static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }
}
