package dev.maskseg.spark;

import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.data.Folder;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.maskdistill.ClusteringConfig;
import dev.maskseg.pipeline.maskdistill.ClustersIndex;
import dev.maskseg.pipeline.maskdistill.GroundTruthBoxes;
import dev.maskseg.pipeline.maskdistill.MaskClustering;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.PseudoLabelStage;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code maskseg spark pseudo-maps}: MaskDistill's pseudo maps as {@code train maskdistill --pseudo-only} paints them
 * ({@code OUT/pseudo/<id>.png}, {@code OUT/pseudo/clusters.json}; docs/methods.md §3.3, §3.5) in three steps: the
 * clustering's feature pass in the executors ({@link PseudoLabelStage#features}: CLS features and ground-truth targets,
 * the ViT once per executor), k-means over every mask and the clusters' naming on the driver (rows in split order, so
 * the clusters are those of the single-machine run), then the painting in the executors ({@link PseudoLabelStage#paint}).
 * The VOC folder, the prior's masks and the output are read and written through paths every executor sees (a shared
 * file system).
 */
final class PseudoMapsJob {
    /** One image's features, or why it was left out. */
    record Features(String id, PseudoLabelStage.ImageFeatures features, String problem) implements Serializable {}

    /** One image's clusters and targets to paint with. */
    record Paint(String id, int[] clusters, int[] targets) implements Serializable {}

    /** The painted image's clusters.json rows. */
    record Painted(String id, List<ClustersIndex.Assignment> rows) implements Serializable {}

    private static final int IMAGES_PER_TASK = 16;

    private PseudoMapsJob() {}

    static PseudoLabelStage.Summary run(SparkJob job, DataConfig data, ClusteringConfig clustering, MaskDistillConfig cfg, Path out, boolean strict) throws Exception {
        if (clustering.weights().isEmpty()) {
            job.console.warning("spark pseudo-maps: WARNING clustering.weights is empty: clustering with a randomly initialised " + clustering.vit()
                    + " (give DINO weights for the method's results)");
        }
        Source src = new Source(data.root(), data.masks(), strict, clustering.byBoxes(), cfg.clusters());
        List<String> ids = new VocDataset(Path.of(data.root()), strict, job.console::problem).ids(data.split());
        GroundTruthBoxes boxes = src.boxes(); // the driver checks the boxes' source before any task starts
        ShippedFile weights = job.ship(clustering.weights());
        Map<String, PseudoLabelStage.ImageFeatures> byId = new HashMap<>();
        List<Features> bad = new ArrayList<>();
        ImageJobs.runItems(job.spark, new ArrayList<>(ids), IMAGES_PER_TASK, new FeatureTask(job.key, job.backend, src, clustering.vit(), clustering.seed(), weights), f -> {
            if (f.problem() != null) bad.add(f);
            else if (f.features().rows().length > 0) byId.put(f.id(), f.features());
        });
        int skipped = report(bad, ids, strict, job.console);

        List<String> kept = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        for (String id : ids) {
            PseudoLabelStage.ImageFeatures f = byId.get(id);
            if (f == null || kept.contains(id)) continue;
            kept.add(id);
            rows.addAll(List.of(f.rows()));
            for (int t : f.targets()) targets.add(t);
        }
        int k = clustering.k(cfg.clusters());
        int[] cluster = MaskClustering.cluster(rows.toArray(double[][]::new), k, clustering.seed());
        int[] target = targets.stream().mapToInt(Integer::intValue).toArray();
        ClustersIndex.Naming naming = PseudoLabelStage.naming(cluster, target, k, cfg.clusters(), boxes);
        List<Paint> paints = new ArrayList<>();
        int at = 0;
        for (String id : kept) {
            int n = byId.get(id).rows().length;
            paints.add(new Paint(id, Arrays.copyOfRange(cluster, at, at + n), Arrays.copyOfRange(target, at, at + n)));
            at += n;
        }

        Path pseudo = Files.createDirectories(out.resolve("pseudo"));
        Map<String, List<ClustersIndex.Assignment>> painted = new HashMap<>();
        ImageJobs.runItems(job.spark, paints, IMAGES_PER_TASK, new PaintTask(job.key, src, naming, cfg.tau(), pseudo.toString()), p -> painted.put(p.id(), p.rows()));
        Partials.remove(job, job.folder(pseudo.toString()));
        Map<String, List<ClustersIndex.Assignment>> index = new LinkedHashMap<>();
        for (String id : kept) index.put(id, painted.get(id));
        src.stage().clustersIndex(cfg, clustering, naming, index).write(pseudo);
        return new PseudoLabelStage.Summary(kept.size(), rows.size(), skipped, clustering.labels(cfg.clusters()), naming);
    }

    /** Problems in split order; with --strict the first stops the run, as in the single-machine stage. */
    private static int report(List<Features> bad, List<String> ids, boolean strict, StageOutput console) throws IOException {
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) order.putIfAbsent(ids.get(i), i);
        bad.sort((a, b) -> Integer.compare(order.get(a.id()), order.get(b.id())));
        if (strict && !bad.isEmpty()) throw new IOException(bad.get(0).problem() + " (--strict)");
        for (Features f : bad) console.problem(f.problem() + "; skipped");
        return bad.size();
    }

    /** Where an executor finds the images, the prior's masks and the ground-truth boxes (when the clusters are named by them). */
    private record Source(String root, String masks, boolean strict, boolean byBoxes, int classes) implements Serializable {
        PseudoLabelStage stage() throws IOException {
            VocDataset voc = new VocDataset(Path.of(root), strict, m -> {});
            return new PseudoLabelStage(voc::imageFile, PriorMasks.open(Path.of(masks)), strict);
        }

        GroundTruthBoxes boxes() throws IOException { return byBoxes ? GroundTruthBoxes.open(Path.of(root), classes) : null; }
    }

    private record FeatureTask(String jobKey, String backend, Source src, String vitName, long seed, ShippedFile weights)
            implements ImageJobs.ItemTask<String, Features> {
        @Override
        public Features process(String id) throws Exception {
            ExecutorState.useBackend(backend);
            PseudoLabelStage stage = ExecutorState.shared(jobKey + ":stage", src::stage);
            GroundTruthBoxes boxes = ExecutorState.shared(jobKey + ":boxes", () -> java.util.Optional.ofNullable(src.boxes())).orElse(null);
            VisionTransformer vit = ExecutorState.shared(jobKey + ":vit", () -> MaskClustering.vit(
                    new ClusteringConfig(vitName, weights == null ? "" : weights.local(jobKey).toString(), seed, 1, "none"), seed));
            try {
                return new Features(id, stage.features(id, vit, boxes), null);
            } catch (IOException e) {
                return new Features(id, null, e.getMessage());
            }
        }
    }

    private record PaintTask(String jobKey, Source src, ClustersIndex.Naming naming, double tau, String pseudo) implements ImageJobs.ItemTask<Paint, Painted> {
        @Override
        public Painted process(Paint p) throws Exception {
            PseudoLabelStage stage = ExecutorState.shared(jobKey + ":stage", src::stage);
            return new Painted(p.id(), stage.paint(p.id(), p.clusters(), p.targets(), naming, tau, Folder.local(Path.of(pseudo))));
        }
    }
}
