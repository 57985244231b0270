package dev.maskseg.engine.jvm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/** The JVM backend's own ForkJoinPool; -Dmaskseg.threads (default: all cores) sets its size. */
final class WorkerPool {
    private final ForkJoinPool pool;
    private final int threads;

    WorkerPool(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = new ForkJoinPool(this.threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("maskseg-jvm-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    static int configuredThreads() {
        String s = System.getProperty("maskseg.threads", System.getenv().getOrDefault("MASKSEG_THREADS", ""));
        if (s == null || s.isBlank()) return Runtime.getRuntime().availableProcessors();
        int n = Integer.parseInt(s.trim());
        if (n < 1) throw new IllegalArgumentException("maskseg.threads must be >= 1, got " + n);
        return n;
    }

    int threads() { return threads; }

    /** Runs body(0..tasks-1), in parallel when there is more than one task and thread. */
    void forRange(int tasks, IntConsumer body) {
        if (tasks <= 1 || threads == 1 || ForkJoinTask.getPool() == pool) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        List<ForkJoinTask<?>> jobs = new ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) {
            int id = t;
            jobs.add(ForkJoinTask.adapt(() -> body.accept(id)));
        }
        pool.submit(() -> ForkJoinTask.invokeAll(jobs)).join();
        for (ForkJoinTask<?> j : jobs) j.join();
    }
}
