package dev.maskseg.pipeline.maskdistill;

import java.nio.charset.StandardCharsets;
import dev.maskseg.pipeline.batch.ProblemLog;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.config.ValConfig;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.JsonFiles;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.eval.EvalSplit;
import dev.maskseg.pipeline.maskrcnn.DetectStage;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnConfig;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnDetector;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnRun;
import dev.maskseg.pipeline.train.Checkpoints;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.pipeline.train.RunMetrics;
import dev.maskseg.pipeline.train.TrainProgress;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MaskDistill run in a folder (docs/methods.md §3): the pseudo maps {@code pseudo/<id>.png}, or the given label maps
 * ({@code data.labels}); then the segmenter trained on them with
 * {@code checkpoint.safetensors} after every epoch, {@code metrics.csv}/{@code metrics.json} and finally
 * {@code model.safetensors} ({@code best.safetensors} too with a {@code val:} split). Each CRF round (§3.7) predicts
 * the train split with the dense CRF using the previous round's best network (its last without validation) into
 * {@code crf-round-<r>/labels/}, and trains a fresh network on those maps in {@code crf-round-<r>/}. Every round writes
 * {@code round.json} (its scores) when done; metrics.csv and metrics.json hold every round. {@code --resume} skips
 * finished rounds, keeps the CRF maps already written and continues a round from its checkpoint.
 *
 * <p>The pseudo maps: with {@code detector: maskrcnn} (the method) the prior's masks are clustered and a Mask R-CNN trained
 * on them in {@code detector/} ({@link MaskRcnnRun}), its candidates on the split's images written to
 * {@code detector/results.json} ({@link DetectStage}) and painted by the §3.5 rule ({@link DetectorPseudoMaps},
 * {@code pseudo/maps.json}); with {@code detector: prior} the prior's own candidates are clustered and painted
 * ({@link PseudoLabelStage}, {@code pseudo/clusters.json}). A resumed run reuses every finished step made with the same
 * settings.
 */
public final class MaskDistillRun {
    /**
     * The {@code data:}, {@code clustering:}, {@code maskdistill:}, {@code val:} and {@code maskrcnn:} sections, the run
     * folder and what may be done with a run already there ({@link RunFolder}), whether to stop at the first bad file,
     * whether to stop once the pseudo maps are painted, and the effective configuration written to config.yml.
     */
    public record Options(DataConfig data, ClusteringConfig clustering, MaskDistillConfig cfg, ValConfig val, MaskRcnnConfig maskrcnn, Path out,
                          RunFolder.Mode mode, boolean strict, boolean pseudoOnly, String configYaml) {
        /** Whether the run in {@code out} is continued (a training run is only with --resume: {@link RunFolder} refuses the rest). */
        boolean resume() { return mode == RunFolder.Mode.RESUME; }
    }

    private static final List<String> COLUMNS = List.of("loss", "val_miou");

    private MaskDistillRun() {}

    /** Pseudo maps (unless given or reused), training, the CRF rounds; returns the last round's selected model (the pseudo-map folder with {@code pseudoOnly}). */
    public static Path run(Options o, StageListener listener) throws IOException {
        MaskDistillConfig cfg = o.cfg();
        RunFolder folder = RunFolder.claim(o.out(), "train maskdistill", Map.of(), o.mode(), false);
        byte[] yaml = o.configYaml().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(o.out().resolve("config.yml"), out -> out.write(yaml));
        ProblemLog skipped = new ProblemLog(listener);
        listener = skipped.listener();
        VocDataset voc = new VocDataset(Path.of(o.data().root()), o.strict(), listener);
        Path labels;
        if (!o.data().labels().isEmpty()) {
            labels = Path.of(o.data().labels());
            if (!Files.isDirectory(labels)) throw new IOException(labels + ": no such label-map folder (data.labels)");
            listener.info("train maskdistill: training on the label maps in " + labels + " (labels 0.." + cfg.clusters() + ", 255 ignored)");
        } else {
            labels = o.out().resolve("pseudo");
            Path clusters = labels;
            if (cfg.usesDetector()) clusters = detectorPseudoLabels(voc, o, labels, listener);
            else if (o.resume() && ClustersIndex.madeWith(labels, cfg, o.clustering())) listener.info("train maskdistill: reusing the pseudo maps in " + labels);
            else pseudoLabels(voc, o, labels, listener);
            if (o.pseudoOnly()) {
                folder.finish(Map.of("pseudo_only", true, "skipped", skipped.lines().size(), "errors", skipped.lines()));
                return labels;
            }
            cfg = cfg.withLabels(ClustersIndex.read(clusters).labels()); // raw clusters with over-clustering: C x overcluster + 1 outputs
        }
        if (o.pseudoOnly()) throw new IllegalArgumentException("--pseudo-only paints pseudo maps from data.masks; data.labels gives maps already");
        o = new Options(o.data(), o.clustering(), cfg, o.val(), o.maskrcnn(), o.out(), o.mode(), o.strict(), false, o.configYaml());
        EvalSplit val = o.val().enabled() ? EvalSplit.streamed(voc.withLabels(o.val().split()), cfg.size()) : null;
        if (val != null) listener.info(String.format("train maskdistill: validating every epoch on %d %s images at %s (%s matching)", val.count(),
                o.val().split(), cfg.size() > 0 ? cfg.size() + "x" + cfg.size() : "their own size", o.val().matching()));

        List<List<double[]>> earlier = new ArrayList<>();
        List<Map<String, Object>> rounds = new ArrayList<>();
        Path selected = null;
        for (int r = 0; r <= cfg.crfRounds(); r++) {
            Path dir = r == 0 ? o.out() : o.out().resolve("crf-round-" + r);
            if (r > 0) {
                labels = dir.resolve("labels");
                CrfLabels.predict(voc, o.data().split(), selected, cfg.size(), labels, r, listener);
            }
            Round done = trainRound(voc, o, r, dir, labels, val, earlier, rounds, listener);
            earlier.add(done.history());
            rounds.add(done.summary());
            selected = Path.of((String) done.summary().get("model"));
        }
        folder.finish(Map.of("rounds", rounds.size(), "model", selected.toString(), "skipped", skipped.lines().size(), "errors", skipped.lines()));
        return selected;
    }

    private record Round(List<double[]> history, Map<String, Object> summary) {}

    private static Round trainRound(VocDataset voc, Options o, int r, Path dir, Path labels, EvalSplit val, List<List<double[]>> earlier,
                                    List<Map<String, Object>> rounds, StageListener listener) throws IOException {
        MaskDistillConfig cfg = o.cfg();
        Files.createDirectories(dir);
        Path checkpoint = dir.resolve("checkpoint.safetensors"), model = dir.resolve("model.safetensors"), best = dir.resolve("best.safetensors");
        Path summaryFile = dir.resolve("round.json");
        String name = r == 0 ? "train maskdistill" : "train maskdistill, CRF round " + r;
        if (o.resume() && Files.exists(model) && Files.exists(summaryFile)) {
            listener.info(name + ": done before (" + summaryFile + ")");
            return new Round(Checkpoints.history(checkpoint), JsonFiles.read(summaryFile));
        }
        ImageSet images = voc.withLabelMaps(o.data().split(), labels, cfg.clusters() + 1);
        listener.info(String.format("%s: %d images with label maps in %s, %s (%d labels), backend %s on %s", name, images.size(), labels, cfg.backbone(),
                cfg.clusters() + 1, Backends.defaultBackend().name(), Backends.defaultBackend().device()));
        MaskDistillTrainer trainer = new MaskDistillTrainer(cfg);
        if (val != null) trainer.validation(new MaskDistillTrainer.Validation(val, o.val().classes(), o.val().how(), best));
        if (o.resume() && Files.exists(checkpoint)) {
            trainer.resume(checkpoint);
            listener.info(String.format("%s: resumed after epoch %d of %d", name, trainer.epoch(), cfg.epochs()));
        } else if (o.resume() && r == 0) {
            throw new IllegalArgumentException("--resume: no checkpoint " + checkpoint);
        }
        RunMetrics metrics = cfg.crfRounds() == 0 ? new RunMetrics(o.out(), "maskdistill", COLUMNS, trainer.history())
                : RunMetrics.round(o.out(), "maskdistill", COLUMNS, earlier, r, trainer.history());
        int steps = images.size() / cfg.batch();
        try (TrainProgress progress = new TrainProgress(listener, r == 0 ? "train" : "train (CRF round " + r + ")", cfg.epochs(), steps, cfg.batch(),
                trainer.epoch())) {
            trainer.train(images, checkpoint, new MaskDistillTrainer.Listener() {
                @Override
                public void step(int e, int s, int n, double loss, double lr) { progress.step(e, loss, lr); }

                @Override
                public void epochEnd(int e, double loss, double valMiou, double lr, double seconds) throws IOException {
                    metrics.epochEnd(new double[]{loss, valMiou}, lr, seconds, steps * cfg.batch());
                    Map<String, Double> terms = new LinkedHashMap<>();
                    terms.put("loss", loss);
                    if (!Double.isNaN(valMiou)) {
                        terms.put("val mIoU", valMiou);
                        terms.put("best", trainer.bestMiou());
                    }
                    progress.epochEnd(e, terms, lr, seconds);
                }
            });
        }
        trainer.saveModel(model);
        Map<String, Object> summary = summary(voc, o, r, labels, images.size(), trainer, val, model, best, listener);
        JsonFiles.write(summaryFile, summary);
        List<Map<String, Object>> all = new ArrayList<>(rounds);
        all.add(summary);
        metrics.finish(cfg.crfRounds() == 0 && val == null ? Map.of() : Map.of("rounds", all));
        listener.info(String.format("%s: %d epochs done; %s%s, %s", name, cfg.epochs(), model, val != null ? " (best on val: " + best + ")" : "",
                o.out().resolve("metrics.csv")));
        return new Round(trainer.history(), summary);
    }

    /** The round's scores: losses, the best val epoch, the selected network on val at the stored resolution, its training maps against the ground truth. */
    private static Map<String, Object> summary(VocDataset voc, Options o, int r, Path labels, int images, MaskDistillTrainer trainer, EvalSplit val, Path model,
                                               Path best, StageListener listener) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("round", r);
        s.put("labels", labels.toString());
        s.put("train_images", images);
        s.put("epochs", trainer.epoch());
        List<double[]> h = trainer.history();
        s.put("final_loss", h.get(h.size() - 1)[0]);
        Path selected = model;
        if (val != null) {
            if (trainer.bestEpoch() >= 0) selected = best;
            s.put("best_epoch", trainer.bestEpoch() + 1);
            s.put("best_val_miou", trainer.bestMiou());
            double miou = RoundScores.val(ModelFiles.loadMaskDistill(selected), val, o.val().classes(), o.val().how());
            s.put("val_miou", miou);
            listener.info(String.format("round %d: val mIoU %.4f at the stored resolution (%s, %s matching)", r, miou, selected.getFileName(), o.val().matching()));
            RoundScores.Score maps = RoundScores.labelMaps(voc, o.data().split(), labels, o.val().classes(), o.val().how());
            if (maps.images() > 0) {
                s.put("train_labels_miou", maps.miou());
                listener.info(String.format("round %d: its training maps score %.4f mIoU against the %s ground truth (%d images, %d without)", r, maps.miou(),
                        o.data().split(), maps.images(), maps.missing()));
            } else {
                listener.info("round " + r + ": no ground truth for split " + o.data().split() + ", training maps not scored");
            }
        }
        s.put("model", selected.toString());
        return s;
    }

    /**
     * §3.3–3.5 with the detector: clusters and Mask R-CNN in detector/, its candidates on the split, the confident ones
     * painted into {@code pseudo}; returns the folder of the clusters' index (what the maps' labels are).
     */
    private static Path detectorPseudoLabels(VocDataset voc, Options o, Path pseudo, StageListener listener) throws IOException {
        Path dir = o.out().resolve("detector"), results = dir.resolve("results.json"), clusters = dir.resolve(MaskRcnnRun.CLUSTERS);
        PseudoMaps.Rule rule = PseudoMaps.Rule.parse(o.cfg().paint());
        if (o.resume() && Files.exists(results) && DetectorPseudoMaps.madeWith(pseudo, results, o.cfg().tau(), rule)) {
            listener.info("train maskdistill: reusing the pseudo maps in " + pseudo + " (painted from " + results + ")");
            return clusters;
        }
        Path model = MaskRcnnRun.run(new MaskRcnnRun.Options(o.data(), o.clustering(), o.cfg(), o.maskrcnn(), dir,
                o.resume() ? RunFolder.Mode.RESUME : RunFolder.Mode.NEW, o.strict(), null), listener);
        if (o.resume() && Files.exists(results)) {
            listener.info("train maskdistill: reusing the detections in " + results);
        } else {
            List<Path> images = voc.ids(o.data().split()).stream().map(voc::imageFile).toList();
            String source = model.toAbsolutePath() + " (" + Files.size(model) + " bytes, " + Files.getLastModifiedTime(model) + ")";
            DetectStage.Summary s = new DetectStage(new MaskRcnnDetector(ModelFiles.loadMaskRcnn(model, o.maskrcnn())), o.strict())
                    .run(images, results, source, !o.resume(), listener);
            listener.info("train maskdistill: " + s.line());
        }
        DetectorPseudoMaps.Summary p = DetectorPseudoMaps.paint(results, o.cfg().tau(), rule, pseudo, listener);
        listener.info(String.format("train maskdistill: pseudo maps of %d images from %d of %d detections (tau %.2f, %s rule)", p.images(), p.painted(),
                p.results(), o.cfg().tau(), o.cfg().paint()));
        return clusters;
    }

    private static void pseudoLabels(VocDataset voc, Options o, Path pseudo, StageListener listener) throws IOException {
        clusterAndPaint(voc, o.data(), o.clustering(), o.cfg(), pseudo, o.strict(), "train maskdistill", listener);
    }

    /**
     * §3.3 and §3.5 on the prior's masks of {@code data.masks} over {@code data.split} ({@link PseudoLabelStage}): the
     * clusters (named by ground-truth boxes when asked) in {@code dir/clusters.json} and the prior's pseudo maps beside it.
     */
    public static PseudoLabelStage.Summary clusterAndPaint(VocDataset voc, DataConfig data, ClusteringConfig clustering, MaskDistillConfig cfg, Path dir,
                                                           boolean strict, String who, StageListener listener) throws IOException {
        if (data.masks().isEmpty()) throw new IllegalArgumentException("config: data.masks (a prior's folder) or data.labels is required");
        if (clustering.weights().isEmpty()) {
            listener.warning(who + ": WARNING clustering.weights is empty: clustering with a randomly initialised " + clustering.vit()
                    + " (give DINO weights for the method's results)");
        }
        VisionTransformer vit = MaskClustering.vit(clustering, clustering.seed());
        List<String> ids = voc.ids(data.split());
        PseudoLabelStage stage = new PseudoLabelStage(voc::imageFile, PriorMasks.open(Path.of(data.masks())), strict);
        GroundTruthBoxes boxes = clustering.byBoxes() ? GroundTruthBoxes.open(voc.root(), cfg.clusters()) : null;
        PseudoLabelStage.Summary s = stage.run(ids, vit, cfg, clustering, boxes, dir, listener);
        listener.info(String.format("%s: %d masks of %d images in %d clusters (%s CLS, seed %d), pseudo maps with tau %.2f; %d images skipped", who,
                s.masks(), s.images(), clustering.k(cfg.clusters()), clustering.vit(), clustering.seed(), cfg.tau(), s.skipped()));
        if (s.naming().named()) {
            listener.info(String.format("%s: clusters named by %s boxes (%s matching, %d masks with a target): %s; maps hold classes 1..%d", who,
                    s.naming().boxes(), s.naming().method(), s.naming().targeted(), s.naming().matching(), cfg.clusters()));
        }
        return s;
    }
}
