package dev.maskseg.pipeline.batch;

import dev.maskseg.pipeline.Failures;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.ImageFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A batch command's per-file errors (docs/design.md §4b): a file that cannot be processed is one line naming it (the
 * listener's problem), recorded under its key (the image stem its outputs are named by) and counted, and the batch goes
 * on; with {@code strict} the first one stops the batch ({@link BatchStopped}). Thread-safe.
 */
public final class BatchErrors {
    private final boolean strict;
    private final StageListener listener;
    private final Map<String, String> errors = new TreeMap<>();

    public BatchErrors(boolean strict, StageListener listener) {
        this.strict = strict;
        this.listener = listener;
    }

    /**
     * The files whose stems no other file shares, in order. Outputs are named by stem ({@code <stem>.png}), so
     * {@code x.png} and {@code x.jpg} would write one output over the other: each shared stem is an error naming its files.
     */
    public List<Path> uniqueStems(List<Path> files) throws BatchStopped {
        Map<String, List<Path>> byStem = new LinkedHashMap<>();
        for (Path f : files) byStem.computeIfAbsent(ImageFiles.stem(f), s -> new ArrayList<>()).add(f);
        List<Path> out = new ArrayList<>();
        for (var e : byStem.entrySet()) {
            if (e.getValue().size() == 1) {
                out.add(e.getValue().get(0));
                continue;
            }
            Path first = e.getValue().get(0);
            String names = String.join(", ", e.getValue().stream().map(p -> p.getFileName().toString()).toList());
            record(e.getKey(), first, first.getParent() + ": " + names + " share the stem '" + e.getKey()
                    + "' that outputs are named by; rename all but one", null);
        }
        return out;
    }

    /** Records that {@code file} (key {@code key}) failed with {@code e}. */
    public void record(String key, Path file, Throwable e) throws BatchStopped {
        String line = Failures.describe(e);
        record(key, file, line.contains(file.toString()) || line.contains(file.getFileName().toString()) ? line : file + ": " + line, e);
    }

    private synchronized void record(String key, Path file, String line, Throwable cause) throws BatchStopped {
        errors.put(key, line);
        if (strict) throw new BatchStopped(line + " (--strict stops at the first bad file)", cause);
        listener.problem(line + "; skipped");
    }

    /** The error recorded under {@code key}, or null. */
    public synchronized String get(String key) { return errors.get(key); }

    public synchronized int count() { return errors.size(); }

    /** Every error by key, in key order. */
    public synchronized Map<String, String> all() { return new TreeMap<>(errors); }
}
