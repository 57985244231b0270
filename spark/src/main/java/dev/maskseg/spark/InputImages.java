package dev.maskseg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.pipeline.data.ImageFiles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The images of a job: the PNG/JPEG/BMP files directly in a folder of any file system, as {@link ImageFiles#list}
 * takes them (same names, same order), optionally only those of a split: a text file of ids, one per line (VOC's
 * {@code ImageSets/Segmentation/<split>.txt}), or a COCO annotations file (its {@code images[].file_name}); a listed
 * id without an image is an error naming it, as in {@link ImageFiles#list(java.nio.file.Path, java.nio.file.Path)}. Two
 * files of one stem are refused.
 */
final class InputImages {
    /** One image: its stem (the id its outputs are named by) and its file's URI. */
    record Image(String stem, String uri) {}

    private InputImages() {}

    static List<Image> list(SparkFolder dir, SparkFolder idsFolder, String idsName) throws IOException {
        if (!dir.isDirectory()) throw new IOException(dir + ": not a folder");
        List<Image> all = new ArrayList<>();
        Map<String, List<String>> byStem = new TreeMap<>();
        for (String name : dir.files()) {
            if (!ImageFiles.isImage(name)) continue;
            all.add(new Image(ImageFiles.stem(name), dir.uri(name)));
            byStem.computeIfAbsent(ImageFiles.stem(name), s -> new ArrayList<>()).add(name);
        }
        if (all.isEmpty()) throw new IOException(dir + ": no PNG/JPEG images");
        refuseSharedStems(dir, byStem);
        if (idsName == null) return all;
        Set<String> ids = ids(idsFolder, idsName);
        List<Image> kept = new ArrayList<>();
        for (Image i : all) if (ids.remove(i.stem())) kept.add(i);
        if (!ids.isEmpty()) throw new IOException(idsFolder.path(idsName) + ": no image for id " + ids.iterator().next() + " in " + dir);
        if (kept.isEmpty()) throw new IOException(idsFolder.path(idsName) + ": lists no ids");
        return kept;
    }

    /**
     * Outputs are named by stem, so {@code x.png} and {@code x.jpg} would write one output over the other: the job
     * refuses the folder, naming them (the single-machine commands record each such stem as a bad file and go on).
     */
    private static void refuseSharedStems(SparkFolder dir, Map<String, List<String>> byStem) throws IOException {
        for (var e : byStem.entrySet()) {
            if (e.getValue().size() > 1) {
                throw new IOException(dir + ": " + String.join(", ", e.getValue()) + " share the stem '" + e.getKey() + "' that outputs are named by; rename all but one");
            }
        }
    }

    private static Set<String> ids(SparkFolder folder, String name) throws IOException {
        byte[] bytes = folder.read(name);
        Set<String> ids = new LinkedHashSet<>();
        if (name.toLowerCase().endsWith(".json")) {
            JsonNode images = new ObjectMapper().readTree(bytes).path("images");
            if (!images.isArray()) throw new IOException(folder.path(name) + ": not a COCO annotations file (no 'images' array)");
            for (JsonNode i : images) {
                if (!i.path("file_name").isTextual()) throw new IOException(folder.path(name) + ": an image without 'file_name'");
                ids.add(ImageFiles.stem(i.get("file_name").asText()));
            }
        } else {
            for (String line : new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\\R")) if (!line.isBlank()) ids.add(line.trim().split("\\s+")[0]);
        }
        return ids;
    }
}
