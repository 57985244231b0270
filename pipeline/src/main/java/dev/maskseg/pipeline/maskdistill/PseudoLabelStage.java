package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.pipeline.StageListener;
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
import java.util.function.Function;

/**
 * MaskDistill's stages 1b and 3 over files (docs/methods.md §3.3, §3.5): every candidate mask of a prior's output folder is
 * clustered by the ViT CLS feature of its box, then each image's candidates are painted into a pseudo semantic map
 * ({@code <id>.png}, labels 0..C) with the confident-mask rule. Without Mask R-CNN (§3.4, not part of maskseg) the
 * prior's own candidates and scores take the detector's place: one mask per image (the official stage-1 output)
 * scores 1 and is always kept. Images are decoded one at a time, twice, so memory holds only the features;
 * {@code clusters.json} records each candidate's cluster. An image that cannot be read, or a mask of the wrong
 * size, is reported to the listener and left out (or stops the stage when {@code strict}).
 */
public final class PseudoLabelStage {
    public record Summary(int images, int masks, int skipped) {}

    private final Function<String, Path> imageFile;
    private final PriorMasks prior;
    private final boolean strict;

    /** {@code imageFile} maps an id to its image (e.g. {@code VocDataset::imageFile}). */
    public PseudoLabelStage(Function<String, Path> imageFile, PriorMasks prior, boolean strict) {
        this.imageFile = imageFile;
        this.prior = prior;
        this.strict = strict;
    }

    /** Clusters the candidates of {@code ids} with {@code vit} (task "cluster", one step per image) and paints their maps into {@code outDir}. */
    public Summary run(List<String> ids, VisionTransformer vit, MaskDistillConfig cfg, long clusterSeed, Path outDir, StageListener listener) throws IOException {
        Files.createDirectories(outDir);
        listener.start("cluster", ids.size(), 0);
        try {
            return paint(ids, vit, cfg, clusterSeed, outDir, listener);
        } finally {
            listener.end();
        }
    }

    private Summary paint(List<String> ids, VisionTransformer vit, MaskDistillConfig cfg, long clusterSeed, Path outDir, StageListener listener) throws IOException {
        List<String> kept = new ArrayList<>();
        List<double[]> features = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        int skipped = 0;
        for (String id : ids) {
            List<PriorMasks.Candidate> cands = prior.candidates(id);
            if (cands.isEmpty()) {
                listener.advance(1, null);
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
                listener.problem(e.getMessage() + "; skipped");
                skipped++;
            }
            listener.advance(1, null);
        }
        int[] cluster = MaskClustering.cluster(features.toArray(double[][]::new), cfg.clusters(), clusterSeed);

        Map<String, List<ClustersIndex.Assignment>> index = new LinkedHashMap<>();
        int at = 0;
        for (int i = 0; i < kept.size(); i++) {
            String id = kept.get(i);
            List<PriorMasks.Candidate> cands = prior.candidates(id);
            Sample img = image(id);
            List<byte[]> ms = masks(cands, img);
            List<PseudoMaps.Candidate> painted = new ArrayList<>();
            List<ClustersIndex.Assignment> rows = new ArrayList<>();
            for (int k = 0; k < cands.size(); k++, at++) {
                painted.add(new PseudoMaps.Candidate(ms.get(k), cands.get(k).score(), cluster[at]));
                rows.add(new ClustersIndex.Assignment(cands.get(k).file().getFileName().toString(), cands.get(k).score(), cluster[at]));
            }
            byte[] map = PseudoMaps.paint(img.width() * img.height(), painted, cfg.tau());
            int[] labels = new int[map.length];
            for (int p = 0; p < map.length; p++) labels[p] = map[p] & 255;
            LabelMaps.write(outDir.resolve(id + ".png"), img.width(), img.height(), labels);
            index.put(id, rows);
        }
        new ClustersIndex(prior.dir().toString(), cfg.clusters(), cfg.tau(), clusterSeed, index).write(outDir);
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
