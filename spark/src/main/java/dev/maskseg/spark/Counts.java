package dev.maskseg.spark;

import dev.maskseg.pipeline.batch.BatchStopped;

import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

    /** The failed images' error lines by stem (run.json's {@code errors}), on the driver. */
    final Map<String, String> errors = new TreeMap<>();

    /**
     * Counts an outcome and prints its problems; a failed image's first problem is its error line, recorded, and with
     * {@code strict} it stops the job ({@link BatchStopped}, as the single-machine batch commands stop).
     */
    Consumer<Outcome> recorder(StageOutput console, boolean strict) {
        return o -> {
            if (o.status() == Status.FAILED && !o.problems().isEmpty()) {
                String line = o.problems().get(0);
                if (strict) throw new UncheckedIOException(new BatchStopped(line + " (--strict stops at the first bad file)", null));
                errors.put(o.stem(), line);
                console.problem(line + "; skipped");
                o.problems().subList(1, o.problems().size()).forEach(console::problem);
            } else {
                o.problems().forEach(console::problem);
            }
            backends.add(o.backend());
            (switch (o.status()) {
                case DONE -> done;
                case SKIPPED -> skipped;
                case FAILED -> failed;
            }).incrementAndGet();
        };
    }

    /** run.json's summary of a per-image job: counts, and the error line of each failed image. */
    Map<String, Object> summary(int images, String doneKey) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", images);
        if (doneKey != null) m.put(doneKey, done.get());
        m.put("already_done", skipped.get());
        m.put("failed", failed.get());
        m.put("errors", new TreeMap<>(errors));
        return m;
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
