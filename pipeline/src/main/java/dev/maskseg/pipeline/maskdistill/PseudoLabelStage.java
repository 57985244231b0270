package dev.maskseg.pipeline.maskdistill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * MaskDistill's stages 1b and 3 over files (methods.md §3.3, §3.5): every candidate mask of a prior's output folder is
 * clustered by the ViT CLS feature of its box, then each image's candidates are painted into a pseudo semantic map
 * ({@code <id>.png}, labels 0..C) with the confident-mask rule. Without Mask R-CNN (§3.4, not part of maskseg) the
 * prior's own candidates and scores take the detector's place: one mask per image (the official stage-1 output)
 * scores 1 and is always kept. Images are decoded one at a time, twice, so memory holds only the features;
 * {@code clusters.json} records each candidate's cluster. An image that cannot be read, or a mask of the wrong
 * size, is reported to {@code problems} and left out (or stops the stage when {@code strict}).
 */
public final class PseudoLabelStage {
    public record Summary(int images, int masks, int skipped) {}

    private final Function<String, Path> imageFile;
    private final PriorMasks prior;
    private final boolean strict;
    private final Consumer<String> problems;

    /** {@code imageFile} maps an id to its image (e.g. {@code VocDataset::imageFile}). */
    public PseudoLabelStage(Function<String, Path> imageFile, PriorMasks prior, boolean strict, Consumer<String> problems) {
        this.imageFile = imageFile;
        this.prior = prior;
        this.strict = strict;
        this.problems = problems;
    }

    public Summary run(List<String> ids, VisionTransformer vit, MaskDistillConfig cfg, long clusterSeed, Path outDir, IntConsumer progress) throws IOException {
        Files.createDirectories(outDir);
        List<String> kept = new ArrayList<>();
        List<double[]> features = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        int skipped = 0;
        for (String id : ids) {
            List<PriorMasks.Candidate> cands = prior.candidates(id);
            if (cands.isEmpty()) {
                progress.accept(1);
                continue;
            }
            try {
                Sample img = image(id);
                double[][] f = MaskClustering.features(vit, img, masks(cands, img));
                kept.add(id);
                counts.add(f.length);
                features.addAll(List.of(f));
            } catch (IOException e) {
                if (strict) throw new IOException(e.getMessage() + " (--strict)", e);
                problems.accept(e.getMessage() + "; skipped");
                skipped++;
            }
            progress.accept(1);
        }
        int[] cluster = MaskClustering.cluster(features.toArray(double[][]::new), cfg.clusters(), clusterSeed);

        Map<String, Object> index = new LinkedHashMap<>();
        int at = 0;
        for (int i = 0; i < kept.size(); i++) {
            String id = kept.get(i);
            List<PriorMasks.Candidate> cands = prior.candidates(id);
            Sample img = image(id);
            List<byte[]> ms = masks(cands, img);
            List<PseudoMaps.Candidate> painted = new ArrayList<>();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int k = 0; k < cands.size(); k++, at++) {
                painted.add(new PseudoMaps.Candidate(ms.get(k), cands.get(k).score(), cluster[at]));
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("file", cands.get(k).file().getFileName().toString());
                r.put("score", cands.get(k).score());
                r.put("cluster", cluster[at]);
                rows.add(r);
            }
            byte[] map = PseudoMaps.paint(img.width() * img.height(), painted, cfg.tau());
            int[] labels = new int[map.length];
            for (int p = 0; p < map.length; p++) labels[p] = map[p] & 255;
            LabelMaps.write(outDir.resolve(id + ".png"), img.width(), img.height(), labels);
            index.put(id, rows);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("prior_masks", prior.dir().toString());
        root.put("clusters", cfg.clusters());
        root.put("tau", cfg.tau());
        root.put("cluster_seed", clusterSeed);
        root.put("images", index);
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root);
        AtomicFiles.write(outDir.resolve("clusters.json"), o -> o.write(json));
        return new Summary(kept.size(), features.size(), skipped);
    }

    private Sample image(String id) throws IOException {
        return ImageSet.imageOnly(imageFile.apply(id));
    }

    private static List<byte[]> masks(List<PriorMasks.Candidate> cands, Sample img) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (PriorMasks.Candidate c : cands) out.add(PriorMasks.read(c.file(), img.width(), img.height()));
        return out;
    }
}
