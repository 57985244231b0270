package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.batch.ProblemLog;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.train.RunMetrics;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A MaskDistill run in a folder (docs/methods.md §3): the prior's masks clustered and painted into {@code pseudo/<id>.png}
 * with {@code pseudo/clusters.json} ({@link PseudoLabelStage}; a resumed run reuses maps made with its own clusters,
 * τ and seed), then the segmenter trained on them with {@code checkpoint.safetensors} after every epoch,
 * {@code metrics.csv}/{@code metrics.json} and finally {@code model.safetensors}.
 */
public final class MaskDistillRun {
    /**
     * The {@code data:}, {@code clustering:} and {@code maskdistill:} sections, the run folder and what may be done with a
     * run already there ({@link RunFolder}), whether to stop at the first bad file, and the effective configuration
     * written to config.yml.
     */
    public record Options(DataConfig data, ClusteringConfig clustering, MaskDistillConfig cfg, Path out, RunFolder.Mode mode, boolean strict,
                          String configYaml) {}

    private MaskDistillRun() {}

    /** Pseudo maps (unless reused), training (the remaining epochs) and the model; returns its file. */
    public static Path run(Options o, StageListener listener) throws IOException {
        MaskDistillConfig cfg = o.cfg();
        RunFolder folder = RunFolder.claim(o.out(), "train maskdistill", Map.of(), o.mode(), false);
        AtomicFiles.write(o.out().resolve("config.yml"), out -> out.write(o.configYaml().getBytes(StandardCharsets.UTF_8)));
        ProblemLog skipped = new ProblemLog(listener);
        VocDataset voc = new VocDataset(Path.of(o.data().root()), o.strict(), skipped);
        Path pseudo = o.out().resolve("pseudo");
        if (folder.continued() && ClustersIndex.madeWith(pseudo, cfg, o.clustering())) {
            listener.info("train maskdistill: reusing the pseudo maps in " + pseudo);
        } else {
            pseudoLabels(voc, o, pseudo, skipped.listener());
        }

        ImageSet images = voc.withLabelMaps(o.data().split(), pseudo);
        listener.info(String.format("train maskdistill: %d images with pseudo maps, %s (%d labels), backend %s on %s", images.size(), cfg.backbone(),
                cfg.clusters() + 1, Backends.defaultBackend().name(), Backends.defaultBackend().device()));
        MaskDistillTrainer trainer = new MaskDistillTrainer(cfg);
        Path checkpoint = o.out().resolve("checkpoint.safetensors");
        if (folder.continued()) {
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
        folder.finish(Map.of("epochs", cfg.epochs(), "images", images.size(), "skipped", skipped.lines().size(), "errors", skipped.lines()));
        listener.info(String.format("train maskdistill: %d epochs done; %s, %s", cfg.epochs(), model, o.out().resolve("metrics.csv")));
        return model;
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
