package dev.maskseg.pipeline.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code masks.json} of a prior's output folder (docs/design.md §5), the one place that reads and writes it: the prior, its
 * parameters and, per image stem, the mask files with score and area, or why there is none ({@link Entry#DROPPED} by
 * the prior, {@link Entry#ERROR} for an unreadable image). While mining, the index is rewritten atomically at most
 * every two seconds and at the end, so an interrupted run resumes from it (redoing at most the last two seconds of
 * images, whose files are rewritten atomically). Methods are thread-safe. The index lives in a {@link Folder}: a local
 * one, or another file system's (a Spark job's output on HDFS or S3).
 */
public final class MasksIndex {
    public static final String FILE = "masks.json";

    /** One mask file of an image (its name inside the folder), its score and its area in pixels. */
    public record MaskFile(String file, double score, long area) implements Serializable {}

    /** What the prior gave for one image. */
    public record Entry(String status, List<MaskFile> masks, String error) implements Serializable {
        public static final String OK = "ok", DROPPED = "dropped", ERROR = "error";

        public Entry {
            masks = List.copyOf(masks);
        }

        /** The written masks, or "dropped" when the prior gave none. */
        public static Entry of(List<MaskFile> masks) { return new Entry(masks.isEmpty() ? DROPPED : OK, masks, null); }

        public static Entry error(String why) { return new Entry(ERROR, List.of(), why); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Folder folder;
    private final String prior;
    private final Map<String, String> params;
    private final Map<String, Entry> images = new TreeMap<>();
    private long lastSave = System.nanoTime();

    private MasksIndex(Folder folder, String prior, Map<String, String> params) {
        this.folder = folder;
        this.prior = prior;
        this.params = params;
    }

    /** Whether {@code dir} holds an index. */
    public static boolean exists(Path dir) { return java.nio.file.Files.exists(dir.resolve(FILE)); }

    /** Reads {@code dir/masks.json}; the prior and its parameters may be absent (an index written by another tool). */
    public static MasksIndex read(Path dir) throws IOException { return read(Folder.local(dir)); }

    /** Reads the folder's {@code masks.json}. */
    public static MasksIndex read(Folder folder) throws IOException {
        String json = folder.path(FILE);
        JsonNode root;
        try (InputStream in = folder.open(FILE)) {
            root = JSON.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(json + ": not a masks index (invalid JSON: " + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + "); delete it to mine again", e);
        }
        if (root == null || !root.isObject()) throw new IOException(json + ": not a masks index (not a JSON object); delete it to mine again");
        JsonNode imgs = root.path("images");
        if (!imgs.isObject()) throw new IOException(json + ": no 'images' object");
        Map<String, String> params = new LinkedHashMap<>();
        root.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        MasksIndex idx = new MasksIndex(folder, root.path("prior").isTextual() ? root.get("prior").asText() : null, params);
        for (var it = imgs.fields(); it.hasNext(); ) {
            var e = it.next();
            List<MaskFile> masks = new ArrayList<>();
            for (JsonNode m : e.getValue().path("masks")) {
                if (!m.path("file").isTextual() || !m.path("score").isNumber()) {
                    throw new IOException(json + ": image " + e.getKey() + " has a mask without 'file' and a numeric 'score'");
                }
                String name = m.get("file").asText();
                if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals("..") || name.equals(".")) {
                    throw new IOException(json + ": image " + e.getKey() + " names the mask file '" + name + "', which is not a file name in " + folder);
                }
                masks.add(new MaskFile(m.get("file").asText(), m.get("score").asDouble(), m.path("area").asLong()));
            }
            JsonNode status = e.getValue().path("status"), error = e.getValue().path("error");
            idx.images.put(e.getKey(), new Entry(status.isTextual() ? status.asText() : Entry.OK, masks, error.isTextual() ? error.asText() : null));
        }
        return idx;
    }

    /** A new, empty index of {@code prior} with {@code params} for {@code dir} (replacing any there at its first save). */
    public static MasksIndex empty(Path dir, String prior, Map<String, String> params) { return empty(Folder.local(dir), prior, params); }

    /** As {@link #empty(Path, String, Map)}, in a folder of any file system (a Spark job's). */
    public static MasksIndex empty(Folder folder, String prior, Map<String, String> params) { return new MasksIndex(folder, prior, new TreeMap<>(params)); }

    /**
     * The index a mining run of {@code prior} with {@code params} writes into {@code dir}: empty, or the existing one,
     * which must be of the same prior and parameters (so a resumed run never mixes two priors' masks).
     */
    public static MasksIndex openForWriting(Path dir, String prior, Map<String, String> params) throws IOException {
        return openForWriting(Folder.local(dir), prior, params);
    }

    /** {@link #openForWriting(Path, String, Map)} in any folder. */
    public static MasksIndex openForWriting(Folder folder, String prior, Map<String, String> params) throws IOException {
        Map<String, String> sorted = new TreeMap<>(params);
        if (!folder.exists(FILE)) return new MasksIndex(folder, prior, sorted);
        MasksIndex old = read(folder);
        if (!prior.equals(old.prior) || !sorted.equals(new TreeMap<>(old.params))) {
            throw new IllegalArgumentException(folder.path(FILE) + " holds masks of prior " + old.prior + " with " + old.params + ", not " + prior
                    + " with " + sorted + "; choose another --out");
        }
        MasksIndex idx = new MasksIndex(folder, prior, sorted);
        idx.images.putAll(old.images);
        return idx;
    }

    public Folder folder() { return folder; }

    /** The prior's name; null when the file does not say. */
    public String prior() { return prior; }

    public Map<String, String> params() { return Map.copyOf(params); }

    /** The image's entry, or null when it has none. */
    public synchronized Entry entry(String stem) { return images.get(stem); }

    /** Every entry by image stem, in stem order. */
    public synchronized Map<String, Entry> entries() { return new TreeMap<>(images); }

    /** Done: masks written (and still there) or dropped by the prior. Errors are retried. */
    public synchronized boolean done(String stem) throws IOException {
        Entry e = images.get(stem);
        if (e == null || e.status().equals(Entry.ERROR)) return false;
        for (MaskFile m : e.masks()) if (!folder.exists(m.file())) return false;
        return true;
    }

    /** Records an image's entry; the file is rewritten when the last save is more than two seconds old. */
    public synchronized void record(String stem, Entry e) throws IOException {
        images.put(stem, e);
        if (System.nanoTime() - lastSave > 2_000_000_000L) save();
    }

    /** How many images have this status. */
    public synchronized long count(String status) { return images.values().stream().filter(e -> e.status().equals(status)).count(); }

    /** Writes the index atomically. */
    public synchronized void save() throws IOException {
        lastSave = System.nanoTime();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("prior", prior);
        root.put("params", params);
        Map<String, Object> imgs = new TreeMap<>();
        images.forEach((stem, e) -> {
            List<Map<String, Object>> masks = new ArrayList<>();
            for (MaskFile f : e.masks()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", f.file());
                m.put("score", f.score());
                m.put("area", f.area());
                masks.add(m);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", e.status());
            m.put("masks", masks);
            if (e.error() != null) m.put("error", e.error());
            imgs.put(stem, m);
        });
        root.put("images", imgs);
        byte[] json = JsonFiles.bytes(root);
        folder.write(FILE, out -> out.write(json));
    }
}
