package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.Folder;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
        listener.start("cluster", ids.size(), 0, "images");
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
            try {
                ImageFeatures f = features(id, vit, boxes);
                if (f.rows().length > 0) {
                    kept.add(id);
                    features.addAll(List.of(f.rows()));
                    for (int t : f.targets()) targets.add(t);
                }
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
        ClustersIndex.Naming naming = naming(cluster, target, k, cfg.clusters(), boxes);

        Map<String, List<ClustersIndex.Assignment>> index = new LinkedHashMap<>();
        Folder out = Folder.local(outDir);
        int at = 0;
        for (String id : kept) {
            int n = prior.candidates(id).size();
            index.put(id, paint(id, Arrays.copyOfRange(cluster, at, at + n), Arrays.copyOfRange(target, at, at + n), naming, cfg.tau(), out));
            at += n;
        }
        clustersIndex(cfg, clustering, naming, index).write(outDir);
        return new Summary(kept.size(), features.size(), skipped, clustering.labels(cfg.clusters()), naming);
    }

    /** One image's clustering inputs: each candidate mask's CLS feature and its ground-truth target (-1: none, or no boxes). */
    public record ImageFeatures(double[][] rows, int[] targets) implements java.io.Serializable {}

    /**
     * §3.3's feature pass for one image: its candidate masks (the prior's order; none when the prior gave none) with
     * their features and, given {@code boxes}, targets. An unreadable image, mask or annotation is an IOException naming
     * the file. The work of one image, for callers that distribute images (a Spark task), who then cluster every row in
     * id order ({@link MaskClustering#cluster}), {@link #naming name} the clusters and {@link #paint} each image.
     */
    public ImageFeatures features(String id, VisionTransformer vit, GroundTruthBoxes boxes) throws IOException {
        List<PriorMasks.Candidate> cands = prior.candidates(id);
        if (cands.isEmpty()) return new ImageFeatures(new double[0][], new int[0]);
        Sample img = image(id);
        List<byte[]> ms = masks(cands, img);
        double[][] f = MaskClustering.features(vit, img, ms);
        List<GroundTruthBoxes.Box> gt = boxes == null ? List.of() : boxes.boxes(id);
        int[] t = new int[ms.size()];
        for (int i = 0; i < t.length; i++) t[i] = boxes == null ? -1 : GroundTruthBoxes.target(MaskClustering.bbox(ms.get(i), img.width(), img.height()), gt);
        return new ImageFeatures(f, t);
    }

    /** §3.3 step 6: the clusters named with classes by their masks' targets, or {@link ClustersIndex.Naming#NONE} without boxes. */
    public static ClustersIndex.Naming naming(int[] cluster, int[] target, int k, int classes, GroundTruthBoxes boxes) {
        if (boxes == null) return ClustersIndex.Naming.NONE;
        ClusterNaming n = ClusterNaming.of(cluster, target, k, classes);
        return new ClustersIndex.Naming(n.method(), boxes.source(), n.matching(), n.targeted());
    }

    /**
     * §3.5 for one image: its candidates, of these clusters and targets (the prior's order), painted with 1 + their name
     * (class when named, else cluster) into {@code <id>.png} in {@code out}; returns the image's rows of clusters.json.
     */
    public List<ClustersIndex.Assignment> paint(String id, int[] clusters, int[] targets, ClustersIndex.Naming naming, double tau, Folder out) throws IOException {
        List<PriorMasks.Candidate> cands = prior.candidates(id);
        if (clusters.length != cands.size()) throw new IllegalArgumentException(id + ": " + clusters.length + " clusters for " + cands.size() + " candidate masks");
        Sample img = image(id);
        List<byte[]> ms = masks(cands, img);
        List<PseudoMaps.Candidate> painted = new ArrayList<>();
        List<ClustersIndex.Assignment> rows = new ArrayList<>();
        for (int c = 0; c < cands.size(); c++) {
            int name = naming.named() ? naming.matching().get(clusters[c]) : clusters[c]; // painted as 1 + name
            painted.add(new PseudoMaps.Candidate(ms.get(c), cands.get(c).score(), name));
            rows.add(new ClustersIndex.Assignment(cands.get(c).file().getFileName().toString(), cands.get(c).score(), clusters[c], targets[c], 1 + name));
        }
        byte[] map = PseudoMaps.paint(img.width() * img.height(), painted, tau);
        int[] labels = new int[map.length];
        for (int p = 0; p < map.length; p++) labels[p] = map[p] & 255;
        out.write(id + ".png", LabelMaps.png(img.width(), img.height(), labels));
        return rows;
    }

    /** The {@code clusters.json} of maps painted from this stage's prior folder. */
    public ClustersIndex clustersIndex(MaskDistillConfig cfg, ClusteringConfig clustering, ClustersIndex.Naming naming, Map<String, List<ClustersIndex.Assignment>> images) {
        return new ClustersIndex(prior.dir().toString(), cfg.clusters(), clustering.overcluster(), cfg.tau(), clustering.seed(), naming,
                clustering.labels(cfg.clusters()), images);
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
