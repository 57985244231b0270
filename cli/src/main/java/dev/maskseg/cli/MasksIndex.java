package dev.maskseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code masks.json} of a mine-masks output folder: the prior, its parameters and, per image stem, the mask files
 * with scores and areas, or why there is none ("dropped" by the prior, "error" for an unreadable image). Rewritten
 * atomically at most every two seconds and at the end, so an interrupted run resumes from it (redoing at most the
 * last two seconds of images, whose files are rewritten atomically).
 */
final class MasksIndex {
    record Entry(String status, List<Map<String, Object>> masks, String error) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path file;
    private final String prior;
    private final Map<String, String> params;
    private final Map<String, Entry> images = new TreeMap<>();
    private long lastSave = System.nanoTime();

    private MasksIndex(Path file, String prior, Map<String, String> params) {
        this.file = file;
        this.prior = prior;
        this.params = new TreeMap<>(params);
    }

    /** Opens the index of {@code dir}; an existing one must be of the same prior and parameters. */
    @SuppressWarnings("unchecked")
    static MasksIndex open(Path dir, String prior, Map<String, String> params) throws IOException {
        MasksIndex idx = new MasksIndex(dir.resolve("masks.json"), prior, params);
        if (!Files.exists(idx.file)) return idx;
        Map<String, Object> old = JSON.readValue(idx.file.toFile(), Map.class);
        if (!prior.equals(old.get("prior")) || !idx.params.equals(new TreeMap<>((Map<String, String>) old.get("params")))) {
            throw new IllegalArgumentException(idx.file + " holds masks of prior " + old.get("prior") + " with " + old.get("params")
                    + ", not " + prior + " with " + idx.params + "; choose another --out");
        }
        Map<String, Map<String, Object>> imgs = (Map<String, Map<String, Object>>) old.get("images");
        imgs.forEach((stem, e) -> idx.images.put(stem, new Entry((String) e.get("status"),
                (List<Map<String, Object>>) e.getOrDefault("masks", List.of()), (String) e.get("error"))));
        return idx;
    }

    /** Done: masks written (and still there) or dropped by the prior. Errors are retried. */
    synchronized boolean done(String stem, Path dir) {
        Entry e = images.get(stem);
        if (e == null || e.status.equals("error")) return false;
        for (Map<String, Object> m : e.masks) if (!Files.exists(dir.resolve((String) m.get("file")))) return false;
        return true;
    }

    synchronized void record(String stem, Entry e) throws IOException {
        images.put(stem, e);
        if (System.nanoTime() - lastSave > 2_000_000_000L) save();
    }

    synchronized long count(String status) { return images.values().stream().filter(e -> e.status.equals(status)).count(); }

    synchronized void save() throws IOException {
        lastSave = System.nanoTime();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("prior", prior);
        root.put("params", params);
        Map<String, Object> imgs = new TreeMap<>();
        images.forEach((stem, e) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", e.status);
            m.put("masks", e.masks);
            if (e.error != null) m.put("error", e.error);
            imgs.put(stem, m);
        });
        root.put("images", imgs);
        byte[] bytes = JSON.writeValueAsBytes(root);
        AtomicFiles.write(file, out -> out.write(bytes));
    }
}
