package dev.maskseg.engine.jvm;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The JVM backend's threads; -Dmaskseg.threads (default: all cores) sets how many. The calling thread takes tasks too,
 * beside threads − 1 workers that spin a moment between jobs before they park, as an OpenMP runtime's threads do: a
 * training step runs thousands of kernels back to back, and handing each one to parked ForkJoinPool workers cost 30-60 us
 * of wake-up per kernel, a tenth of a 2-thread MaskContrast step. A call from inside a task, or from a second thread
 * while the pool is busy, runs its tasks itself.
 * <p>
 * Each thread takes the tasks of its own contiguous share first (the caller the first share, worker i the share after
 * i others), then helps with the others' leftovers. Kernels that cut a layer's output into bands of rows so give each
 * thread the same bands layer after layer, and it mostly reads what it wrote itself rather than what the other core
 * holds in its cache. Measured on a VM whose two cores seemed to move between near and far: the frozen ResNet-50 with
 * 2 threads settled at 38-42 ms in 10 of 13 fresh JVMs, against 8 of 13 with tasks claimed first come, first served
 * (the others 45-52 ms either way); kernels and the DeepLab-v3 training step unchanged.
 */
final class WorkerPool {
    /** How long an idle worker spins for the next job before it parks. */
    private static final long SPIN_NANOS = 200_000;
    /** How long a parked worker sleeps before it checks whether its pool is still in use. */
    private static final long IDLE_PARK_NANOS = 1_000_000_000L;

    private final int threads;
    private final Thread[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job job;
    private long jobs;

    WorkerPool(int threads) {
        this.threads = Math.max(1, threads);
        this.workers = new Thread[this.threads - 1];
        WeakReference<WorkerPool> self = new WeakReference<>(this);
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(self, "maskseg-jvm-" + (i + 1), i + 1);
            workers[i].start();
        }
    }

    static int configuredThreads() {
        String s = System.getProperty("maskseg.threads", System.getenv().getOrDefault("MASKSEG_THREADS", ""));
        if (s == null || s.isBlank()) return Runtime.getRuntime().availableProcessors();
        int n = Integer.parseInt(s.trim());
        if (n < 1) throw new IllegalArgumentException("maskseg.threads must be >= 1, got " + n);
        return n;
    }

    int threads() { return threads; }

    /**
     * How many tasks to cut units (rows, planes, channels) into: one when the work is under serialBelow elements (a
     * hand-off would cost more than it saves), else up to four per thread, so that uneven units still balance.
     */
    int tasks(int units, long work, long serialBelow) {
        return work < serialBelow ? 1 : (int) Math.min(units, threads * 4L);
    }

    /**
     * body(u) for every unit u in [0, units), cut into {@link #tasks} contiguous pieces over the pool's threads; pool null
     * runs them all on the calling thread. For the copies around a single image's GEMM, which would otherwise leave the
     * other threads waiting.
     */
    static void eachUnit(WorkerPool pool, int units, long work, long serialBelow, IntConsumer body) {
        int tasks = pool == null ? 1 : pool.tasks(units, work, serialBelow);
        if (tasks <= 1) {
            for (int u = 0; u < units; u++) body.accept(u);
            return;
        }
        pool.forRange(tasks, t -> {
            for (int u = (int) ((long) units * t / tasks), end = (int) ((long) units * (t + 1) / tasks); u < end; u++) body.accept(u);
        });
    }

    /** Runs body(0..tasks-1), in parallel when there is more than one task and thread; rethrows a task's failure. */
    void forRange(int tasks, IntConsumer body) {
        if (tasks <= 1 || threads == 1 || Thread.currentThread() instanceof Worker || !busy.compareAndSet(false, true)) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        Job j = new Job(++jobs, tasks, threads, body, Thread.currentThread());
        try {
            job = j;
            for (Thread w : workers) LockSupport.unpark(w);
            j.work(0);
            j.awaitDone();
        } finally {
            job = null;
            busy.set(false);
        }
        j.rethrow();
    }

    /**
     * One forRange call: the tasks cut into one contiguous share per thread, each claimed one at a time from the front,
     * by its own thread first and then by any thread that has finished its own share.
     */
    private static final class Job {
        /** Ints between two shares' counters: a 64-byte line each, so that claiming does not bounce the others' line. */
        private static final int SPACING = 16;
        private final long id;
        private final int tasks, shares;
        private final IntConsumer body;
        private final Thread caller;
        private final AtomicIntegerArray next;
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(long id, int tasks, int shares, IntConsumer body, Thread caller) {
            this.id = id;
            this.tasks = tasks;
            this.shares = shares;
            this.body = body;
            this.caller = caller;
            this.next = new AtomicIntegerArray(shares * SPACING);
            for (int s = 1; s < shares; s++) next.set(s * SPACING, start(s));
        }

        private int start(int share) { return (int) ((long) tasks * share / shares); }

        /** The next unclaimed task, from share own and then the ones after it; tasks when none is left. */
        private int claim(int own) {
            for (int k = 0; k < shares; k++) {
                int s = (own + k) % shares, t = next.getAndIncrement(s * SPACING);
                if (t < start(s + 1)) return t;
            }
            return tasks;
        }

        /** The tasks thread number own (0 the caller, i worker i) claims, its own share first. */
        void work(int own) {
            for (int t; (t = claim(own)) < tasks; ) {
                try {
                    body.accept(t);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                if (done.incrementAndGet() == tasks) LockSupport.unpark(caller);
            }
        }

        void awaitDone() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (done.get() < tasks) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 100_000);
            }
        }

        void rethrow() {
            Throwable e = failure.get();
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error err) throw err;
            if (e != null) throw new IllegalStateException(e);
        }
    }

    /** A worker: runs each new job's tasks, spins a while, then parks; it ends once its pool is unreachable. */
    private static final class Worker extends Thread {
        private final WeakReference<WorkerPool> pool;
        /** Which share of a job's tasks this worker takes first (the caller takes share 0). */
        private final int share;
        /** The last job seen, by id: a reference would keep its arrays alive while the worker idles. */
        private long lastJob;

        Worker(WeakReference<WorkerPool> pool, String name, int share) {
            super(name);
            this.pool = pool;
            this.share = share;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                WorkerPool p = pool.get();
                if (p == null) return;
                Job j = p.job;
                p = null;   // a parked worker must not keep its pool reachable
                if (j != null && j.id != lastJob) {
                    lastJob = j.id;
                    j.work(share);
                    continue;
                }
                j = null;
                if (!spin()) LockSupport.parkNanos(this, IDLE_PARK_NANOS);
            }
        }

        /** Spins until a new job is posted (true) or the spin runs out (false). */
        private boolean spin() {
            long until = System.nanoTime() + SPIN_NANOS;
            while (System.nanoTime() < until) {
                WorkerPool p = pool.get();
                if (p == null) return true;
                Job j = p.job;
                if (j != null && j.id != lastJob) return true;
                Thread.onSpinWait();
            }
            return false;
        }
    }
}
