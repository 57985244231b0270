package dev.maskseg.spark;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** What a per-image job did: images done, skipped (already done by an earlier run), failed (bad input, reported), and its speed. */
final class Counts {
    /** One image's outcome in an executor, with the problems it reported. */
    record Outcome(String stem, Status status, List<String> problems, String backend) implements Serializable {}

    enum Status { DONE, SKIPPED, FAILED }

    final AtomicInteger done = new AtomicInteger(), skipped = new AtomicInteger(), failed = new AtomicInteger();
    final Backends backends = new Backends();
    private final long start = System.nanoTime();

    /** Counts an outcome and prints its problems. */
    Consumer<Outcome> recorder(StageOutput console) {
        return o -> {
            o.problems().forEach(console::problem);
            backends.add(o.backend());
            (switch (o.status()) {
                case DONE -> done;
                case SKIPPED -> skipped;
                case FAILED -> failed;
            }).incrementAndGet();
        };
    }

    /** The backends the executors computed on (no silent fallback: the job says which ran). */
    static final class Backends {
        private final java.util.Set<String> seen = new java.util.TreeSet<>();

        synchronized void add(String backend) { if (backend != null) seen.add(backend); }

        /** e.g. {@code executors computed on jvm on AMD EPYC (2 threads)}; empty when no image was processed. */
        synchronized String line(String stage) { return seen.isEmpty() ? "" : "spark " + stage + ": executors computed on " + String.join("; ", seen); }
    }

    /** e.g. {@code spark features: 40 images done, 0 skipped (already done), 1 failed; 3.10 images/s on 2 cores; OUT}. */
    String line(String stage, int cores, String out) {
        double s = (System.nanoTime() - start) / 1e9;
        return String.format("spark %s: %d images done, %d skipped (already done), %d failed; %.2f images/s on %d cores; %s", stage, done.get(), skipped.get(),
                failed.get(), done.get() / Math.max(s, 1e-9), cores, out);
    }
}
