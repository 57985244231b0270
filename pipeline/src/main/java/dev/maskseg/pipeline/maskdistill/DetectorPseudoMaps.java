package dev.maskseg.pipeline.maskdistill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.JsonFiles;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.instances.CocoJson;
import dev.maskseg.pipeline.instances.CocoResult;
import dev.maskseg.pipeline.instances.ImageId;
import dev.maskseg.pipeline.instances.Rle;
import dev.maskseg.pipeline.instances.Segmentation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MaskDistill's stage 3 from a detector's results (docs/methods.md §3.5, {@code gen_segmentation.py}): per image of a COCO
 * results file, the confident candidates (score ≥ τ, else the top one) painted with 1 + their {@code category_id} (the
 * training set's cluster) by {@link PseudoMaps.Rule}, into {@code <id>.png} at the masks' size; an image without
 * detections gets no map (the official script writes none). {@code maps.json} records the results file, τ and the
 * rule, so a resumed run reuses maps made the same way.
 */
public final class DetectorPseudoMaps {
    public static final String FILE = "maps.json";

    /** Maps written, candidates painted (kept by the τ rule), and results read. */
    public record Summary(int images, int painted, int results) {}

    private DetectorPseudoMaps() {}

    public static Summary paint(Path results, double tau, PseudoMaps.Rule rule, Path outDir, StageListener listener) throws IOException {
        List<CocoResult> all = CocoJson.readResults(results);
        Map<ImageId, List<CocoResult>> byImage = new LinkedHashMap<>();
        for (CocoResult r : all) byImage.computeIfAbsent(r.imageId(), k -> new ArrayList<>()).add(r);
        Files.createDirectories(outDir);
        int painted = 0;
        listener.start("pseudo maps", byImage.size(), 0);
        try {
            for (Map.Entry<ImageId, List<CocoResult>> e : byImage.entrySet()) {
                List<PseudoMaps.Candidate> cands = new ArrayList<>();
                int h = -1, w = -1;
                for (CocoResult r : e.getValue()) {
                    if (r.segmentation() == null || r.segmentation() instanceof Segmentation.PolygonList) {
                        throw new IOException(results + ": a result of image " + e.getKey() + " has no RLE segmentation (detect writes RLE masks)");
                    }
                    Rle m = r.segmentation().toRle(-1, -1);
                    if (h >= 0 && (m.height() != h || m.width() != w)) {
                        throw new IOException(results + ": image " + e.getKey() + " has masks of " + w + "x" + h + " and " + m.width() + "x" + m.height());
                    }
                    h = m.height();
                    w = m.width();
                    boolean[] px = m.decode();
                    byte[] b = new byte[px.length];
                    for (int i = 0; i < px.length; i++) b[i] = (byte) (px[i] ? 1 : 0);
                    if (r.categoryId() < 0 || r.categoryId() > 253) throw new IOException(results + ": category " + r.categoryId() + " cannot be a label 1..254");
                    cands.add(new PseudoMaps.Candidate(b, r.score(), (int) r.categoryId()));
                }
                painted += PseudoMaps.confident(cands, tau).size();
                byte[] map = PseudoMaps.paint(w, h, cands, tau, rule);
                int[] labels = new int[map.length];
                for (int i = 0; i < map.length; i++) labels[i] = map[i] & 255;
                String id = e.getKey().isText() ? e.getKey().text() : Long.toString(e.getKey().number());
                LabelMaps.write(outDir.resolve(id + ".png"), w, h, labels);
                listener.advance(1, null);
            }
        } finally {
            listener.end();
        }
        Map<String, Object> made = new LinkedHashMap<>();
        made.put("results", results.toAbsolutePath().toString());
        made.put("tau", tau);
        made.put("rule", rule.name().toLowerCase());
        made.put("images", byImage.size());
        made.put("painted", painted);
        JsonFiles.write(outDir.resolve(FILE), made);
        return new Summary(byImage.size(), painted, all.size());
    }

    /** Whether {@code dir} holds maps painted from {@code results} with τ and the rule. */
    public static boolean madeWith(Path dir, Path results, double tau, PseudoMaps.Rule rule) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) return false;
        JsonNode j = new ObjectMapper().readTree(f.toFile());
        return j.path("results").asText().equals(results.toAbsolutePath().toString()) && j.path("tau").asDouble() == tau
                && j.path("rule").asText().equals(rule.name().toLowerCase());
    }
}
