package dev.maskseg.pipeline.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A prior's output folder (design.md §5, as {@code maskseg mine-masks} writes it): {@code <id>.png} (0/255) for one
 * mask, {@code <id>_<k>.png} for several, and {@code masks.json} with each mask's score. Without {@code masks.json}
 * (masks from another tool) the files are found by name and every mask scores 1.
 */
public final class PriorMasks {
    /** One candidate mask file of an image and its score. */
    public record Candidate(Path file, double score) {}

    private final Path dir;
    private final Map<String, List<Candidate>> indexed;

    private PriorMasks(Path dir, Map<String, List<Candidate>> indexed) {
        this.dir = dir;
        this.indexed = indexed;
    }

    public static PriorMasks open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": no such mask folder");
        Path json = dir.resolve("masks.json");
        if (!Files.exists(json)) return new PriorMasks(dir, null);
        JsonNode images;
        try {
            images = new ObjectMapper().readTree(json.toFile()).path("images");
        } catch (IOException e) {
            throw new IOException(json + ": not a masks index (" + e.getMessage() + ")", e);
        }
        if (!images.isObject()) throw new IOException(json + ": no 'images' object");
        Map<String, List<Candidate>> byId = new HashMap<>();
        for (var it = images.fields(); it.hasNext(); ) {
            var e = it.next();
            List<Candidate> list = new ArrayList<>();
            for (JsonNode m : e.getValue().path("masks")) {
                if (!m.path("file").isTextual() || !m.path("score").isNumber()) {
                    throw new IOException(json + ": image " + e.getKey() + " has a mask without 'file' and a numeric 'score'");
                }
                list.add(new Candidate(dir.resolve(m.get("file").asText()), m.get("score").asDouble()));
            }
            byId.put(e.getKey(), List.copyOf(list));
        }
        return new PriorMasks(dir, byId);
    }

    public Path dir() { return dir; }

    /** The image's candidates in the prior's order; empty when the prior gave none. */
    public List<Candidate> candidates(String id) {
        if (indexed != null) return indexed.getOrDefault(id, List.of());
        Path single = dir.resolve(id + ".png");
        if (Files.exists(single)) return List.of(new Candidate(single, 1.0));
        List<Candidate> out = new ArrayList<>();
        for (int k = 0; Files.exists(dir.resolve(id + "_" + k + ".png")); k++) out.add(new Candidate(dir.resolve(id + "_" + k + ".png"), 1.0));
        return out;
    }

    /** A mask file binarized (> 127 → 1); it must have the image's size. */
    public static byte[] read(Path file, int width, int height) throws IOException {
        BufferedImage img = ImageSet.read(file, "mask");
        if (img.getWidth() != width || img.getHeight() != height) {
            throw new IOException(file + ": mask of " + img.getWidth() + "x" + img.getHeight() + " for an image of " + width + "x" + height);
        }
        return ImageSet.firstBand(img, true);
    }
}
