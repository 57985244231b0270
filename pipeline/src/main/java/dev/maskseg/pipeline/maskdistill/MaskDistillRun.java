package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.engine.backend.Backends;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.maskrcnn.DetectStage;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnConfig;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnDetector;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnRun;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.pipeline.train.RunMetrics;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A MaskDistill run in a folder (docs/methods.md §3): the pseudo maps {@code pseudo/<id>.png}, then the segmenter trained
 * on them with {@code checkpoint.safetensors} after every epoch, {@code metrics.csv}/{@code metrics.json} and finally
 * {@code model.safetensors}. With {@code detector: maskrcnn} (the method) the prior's masks are clustered and a Mask
 * R-CNN trained on them in {@code detector/} ({@link MaskRcnnRun}), its candidates on the split's images written to
 * {@code detector/results.json} ({@link DetectStage}) and painted by the §3.5 rule ({@link DetectorPseudoMaps}); with
 * {@code detector: prior} the prior's own candidates are clustered and painted ({@link PseudoLabelStage},
 * {@code pseudo/clusters.json}). A resumed run reuses every finished step made with the same settings.
 */
public final class MaskDistillRun {
    /** The {@code data:}, {@code clustering:} and {@code maskdistill:} sections, the run folder, and whether to resume or stop at the first bad file. */
    public record Options(DataConfig data, ClusteringConfig clustering, MaskDistillConfig cfg, MaskRcnnConfig maskrcnn, Path out, boolean resume,
                          boolean strict) {}

    private MaskDistillRun() {}

    /** Pseudo maps (unless reused), training (the remaining epochs) and the model; returns its file. */
    public static Path run(Options o, StageListener listener) throws IOException {
        MaskDistillConfig cfg = o.cfg();
        VocDataset voc = new VocDataset(Path.of(o.data().root()), o.strict(), listener::problem);
        Path pseudo = o.out().resolve("pseudo");
        if (cfg.usesDetector()) {
            detectorPseudoLabels(voc, o, pseudo, listener);
        } else if (o.resume() && ClustersIndex.madeWith(pseudo, cfg, o.clustering())) {
            listener.info("train maskdistill: reusing the pseudo maps in " + pseudo);
        } else {
            pseudoLabels(voc, o, pseudo, listener);
        }

        ImageSet images = voc.withLabelMaps(o.data().split(), pseudo);
        listener.info(String.format("train maskdistill: %d images with pseudo maps, %s (%d labels), backend %s on %s", images.size(), cfg.backbone(),
                cfg.clusters() + 1, Backends.defaultBackend().name(), Backends.defaultBackend().device()));
        MaskDistillTrainer trainer = new MaskDistillTrainer(cfg);
        Path checkpoint = o.out().resolve("checkpoint.safetensors");
        if (o.resume()) {
            if (!Files.exists(checkpoint)) throw new IllegalArgumentException("--resume: no checkpoint " + checkpoint);
            trainer.resume(checkpoint);
            listener.info(String.format("train maskdistill: resumed after epoch %d of %d", trainer.epoch(), cfg.epochs()));
        }
        RunMetrics metrics = new RunMetrics(o.out(), "maskdistill", List.of("loss"), trainer.history().stream().map(l -> new double[]{l}).toList());
        int steps = images.size() / cfg.batch();
        listener.start("train", (long) steps * cfg.epochs(), (long) steps * trainer.epoch());
        try {
            trainer.train(images, checkpoint, new MaskDistillTrainer.Listener() {
                @Override
                public void step(int e, int s, int n, double loss, double lr) {
                    listener.advance(1, String.format("epoch %d/%d loss %.3f lr %.5f", e + 1, cfg.epochs(), loss, lr));
                }

                @Override
                public void epochEnd(int e, double loss, double lr, double seconds) throws IOException {
                    metrics.epochEnd(new double[]{loss}, lr, seconds, steps * cfg.batch());
                }
            });
        } finally {
            listener.end();
        }
        metrics.finish();
        Path model = o.out().resolve("model.safetensors");
        trainer.saveModel(model);
        listener.info(String.format("train maskdistill: %d epochs done; %s, %s", cfg.epochs(), model, o.out().resolve("metrics.csv")));
        return model;
    }

    /** §3.3–3.5 with the detector: clusters and Mask R-CNN in detector/, its candidates on the split, the confident ones painted. */
    private static void detectorPseudoLabels(VocDataset voc, Options o, Path pseudo, StageListener listener) throws IOException {
        Path dir = o.out().resolve("detector"), results = dir.resolve("results.json");
        PseudoMaps.Rule rule = PseudoMaps.Rule.parse(o.cfg().paint());
        if (o.resume() && Files.exists(results) && DetectorPseudoMaps.madeWith(pseudo, results, o.cfg().tau(), rule)) {
            listener.info("train maskdistill: reusing the pseudo maps in " + pseudo + " (painted from " + results + ")");
            return;
        }
        Path model = MaskRcnnRun.run(new MaskRcnnRun.Options(o.data(), o.clustering(), o.cfg(), o.maskrcnn(), dir, o.resume(), o.strict()), listener);
        if (o.resume() && Files.exists(results)) {
            listener.info("train maskdistill: reusing the detections in " + results);
        } else {
            List<Path> images = voc.ids(o.data().split()).stream().map(voc::imageFile).toList();
            DetectStage.Summary s = new DetectStage(new MaskRcnnDetector(ModelFiles.loadMaskRcnn(model, o.maskrcnn())), o.strict()).run(images, results, listener);
            listener.info("train maskdistill: " + s.line());
        }
        DetectorPseudoMaps.Summary p = DetectorPseudoMaps.paint(results, o.cfg().tau(), rule, pseudo, listener);
        listener.info(String.format("train maskdistill: pseudo maps of %d images from %d of %d detections (tau %.2f, %s rule)", p.images(), p.painted(),
                p.results(), o.cfg().tau(), o.cfg().paint()));
    }

    private static void pseudoLabels(VocDataset voc, Options o, Path pseudo, StageListener listener) throws IOException {
        ClusteringConfig clustering = o.clustering();
        if (clustering.weights().isEmpty()) {
            listener.warning("train maskdistill: WARNING clustering.weights is empty: clustering with a randomly initialised " + clustering.vit()
                    + " (give DINO weights for the method's results)");
        }
        VisionTransformer vit = MaskClustering.vit(clustering, clustering.seed());
        List<String> ids = voc.ids(o.data().split());
        PseudoLabelStage stage = new PseudoLabelStage(voc::imageFile, PriorMasks.open(Path.of(o.data().masks())), o.strict());
        PseudoLabelStage.Summary s = stage.run(ids, vit, o.cfg(), clustering.seed(), pseudo, listener);
        listener.info(String.format("train maskdistill: %d masks of %d images in %d clusters (%s CLS, seed %d), pseudo maps with tau %.2f; %d images skipped",
                s.masks(), s.images(), o.cfg().clusters(), clustering.vit(), clustering.seed(), o.cfg().tau(), s.skipped()));
    }
}
