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
 * MaskDistill's stages 1b and 3 over files (docs/methods.md §3.3, §3.5): every candidate mask of a prior's output folder
 * is clustered by the ViT CLS feature of its box (k = C x overcluster), the clusters optionally named with ground-truth
 * classes by boxes ({@link ClusterNaming}), then each image's candidates are painted into a pseudo semantic map
 * ({@code <id>.png}: 1 + class when named, 1 + cluster otherwise; 0 background) with the confident-mask rule. Without
 * Mask R-CNN (§3.4, not part of maskseg) the
 * prior's own candidates and scores take the detector's place: one mask per image (the official stage-1 output)
 * scores 1 and is always kept. Images are decoded one at a time, twice, so memory holds only the features;
 * {@code clusters.json} records each candidate's cluster. An image that cannot be read, or a mask of the wrong
 * size, is reported to the listener and left out (or stops the stage when {@code strict}).
 */
public final class PseudoLabelStage {
    /** Images and masks clustered, images skipped, the labels the maps hold (background included) and the naming. */
    public record Summary(int images, int masks, int skipped, int labels, ClustersIndex.Naming naming) {}

    private final Function<String, Path> imageFile;
    private final PriorMasks prior;
    private final boolean strict;

    /** {@code imageFile} maps an id to its image (e.g. {@code VocDataset::imageFile}). */
    public PseudoLabelStage(Function<String, Path> imageFile, PriorMasks prior, boolean strict) {
        this.imageFile = imageFile;
        this.prior = prior;
        this.strict = strict;
    }

    /**
     * Clusters the candidates of {@code ids} with {@code vit} (task "cluster", one step per image), names the clusters
     * by {@code boxes} when given (null: raw cluster ids) and paints the maps into {@code outDir}.
     */
    public Summary run(List<String> ids, VisionTransformer vit, MaskDistillConfig cfg, ClusteringConfig clustering, GroundTruthBoxes boxes, Path outDir,
                       StageListener listener) throws IOException {
        Files.createDirectories(outDir);
        listener.start("cluster", ids.size(), 0);
        try {
            return paint(ids, vit, cfg, clustering, boxes, outDir, listener);
        } finally {
            listener.end();
        }
    }

    private Summary paint(List<String> ids, VisionTransformer vit, MaskDistillConfig cfg, ClusteringConfig clustering, GroundTruthBoxes boxes, Path outDir,
                          StageListener listener) throws IOException {
        List<String> kept = new ArrayList<>();
        List<double[]> features = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        int skipped = 0;
        for (String id : ids) {
            List<PriorMasks.Candidate> cands = prior.candidates(id);
            if (cands.isEmpty()) {
                listener.advance(1, null);
                continue;
            }
            try {
                Sample img = image(id);
                List<byte[]> ms = masks(cands, img);
                double[][] f = MaskClustering.features(vit, img, ms);
                List<GroundTruthBoxes.Box> gt = boxes == null ? List.of() : boxes.boxes(id);
                for (byte[] m : ms) targets.add(boxes == null ? -1 : GroundTruthBoxes.target(MaskClustering.bbox(m, img.width(), img.height()), gt));
                kept.add(id);
                features.addAll(List.of(f));
            } catch (IOException e) {
                if (strict) throw new IOException(e.getMessage() + " (--strict)", e);
                listener.problem(e.getMessage() + "; skipped");
                skipped++;
            }
            listener.advance(1, null);
        }
        int k = clustering.k(cfg.clusters());
        int[] cluster = MaskClustering.cluster(features.toArray(double[][]::new), k, clustering.seed());
        int[] target = targets.stream().mapToInt(Integer::intValue).toArray();
        ClustersIndex.Naming naming = ClustersIndex.Naming.NONE;
        if (boxes != null) {
            ClusterNaming n = ClusterNaming.of(cluster, target, k, cfg.clusters());
            naming = new ClustersIndex.Naming(n.method(), boxes.source(), n.matching(), n.targeted());
        }

        Map<String, List<ClustersIndex.Assignment>> index = new LinkedHashMap<>();
        int at = 0;
        for (int i = 0; i < kept.size(); i++) {
            String id = kept.get(i);
            List<PriorMasks.Candidate> cands = prior.candidates(id);
            Sample img = image(id);
            List<byte[]> ms = masks(cands, img);
            List<PseudoMaps.Candidate> painted = new ArrayList<>();
            List<ClustersIndex.Assignment> rows = new ArrayList<>();
            for (int c = 0; c < cands.size(); c++, at++) {
                int name = naming.named() ? naming.matching().get(cluster[at]) : cluster[at]; // painted as 1 + name
                painted.add(new PseudoMaps.Candidate(ms.get(c), cands.get(c).score(), name));
                rows.add(new ClustersIndex.Assignment(cands.get(c).file().getFileName().toString(), cands.get(c).score(), cluster[at], target[at], 1 + name));
            }
            byte[] map = PseudoMaps.paint(img.width() * img.height(), painted, cfg.tau());
            int[] labels = new int[map.length];
            for (int p = 0; p < map.length; p++) labels[p] = map[p] & 255;
            LabelMaps.write(outDir.resolve(id + ".png"), img.width(), img.height(), labels);
            index.put(id, rows);
        }
        int labels = clustering.labels(cfg.clusters());
        new ClustersIndex(prior.dir().toString(), cfg.clusters(), clustering.overcluster(), cfg.tau(), clustering.seed(), naming, labels, index).write(outDir);
        return new Summary(kept.size(), features.size(), skipped, labels, naming);
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
