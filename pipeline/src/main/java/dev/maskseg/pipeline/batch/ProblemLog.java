package dev.maskseg.pipeline.batch;

import dev.maskseg.pipeline.StageListener;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The problem lines of a loader (e.g. a {@link dev.maskseg.pipeline.data.VocDataset}'s skipped files), reported to a
 * listener as they come and kept, so the command's summary can record and count them. Thread-safe.
 */
public final class ProblemLog implements Consumer<String> {
    private final StageListener listener;
    private final List<String> lines = new ArrayList<>();

    public ProblemLog(StageListener listener) { this.listener = listener; }

    @Override
    public void accept(String line) {
        synchronized (lines) {
            lines.add(line);
        }
        listener.problem(line);
    }

    /** The lines so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The listener with its problems also kept here. */
    public StageListener listener() {
        return new StageListener() {
            @Override public void info(String line) { listener.info(line); }

            @Override public void warning(String line) { listener.warning(line); }

            @Override public void problem(String message) { accept(message); }

            @Override public void start(String task, long total, long done) { listener.start(task, total, done); }

            @Override public void start(String task, long total, long done, String unit) { listener.start(task, total, done, unit); }

            @Override public void advance(long steps, String status) { listener.advance(steps, status); }

            @Override public void end() { listener.end(); }
        };
    }
}
