package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.maskdistill.ClusteringConfig;
import dev.maskseg.pipeline.maskdistill.ClustersIndex;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code maskseg train maskrcnn} in a folder (docs/methods.md §3.3 → §3.4): the prior's masks of {@code data.masks}
 * clustered ({@link MaskDistillRun#clusterAndPaint}: {@code clusters/clusters.json}, with the prior's own pseudo maps beside it),
 * written as a COCO training set ({@code instances.json}, {@link TrainingSet}), and Mask R-CNN trained on it
 * ({@link MaskRcnnTrainer}: {@code checkpoint.safetensors} every checkpoint period, {@code metrics.csv}/{@code metrics.json},
 * finally {@code model.safetensors}). With {@code resume} every finished step is reused (clusters made with the same
 * settings, the training set, the model) and training continues from its checkpoint.
 */
public final class MaskRcnnRun {
    /**
     * The {@code data:}, {@code clustering:}, {@code maskdistill:} (clusters) and {@code maskrcnn:} sections, the folder and
     * what may be done with a run already there ({@link RunFolder}), the strict flag, and the effective configuration
     * written to config.yml; a null {@code configYaml} is a detector inside another run's folder (train maskdistill's
     * {@code detector/}), which that run claims.
     */
    public record Options(DataConfig data, ClusteringConfig clustering, MaskDistillConfig maskdistill, MaskRcnnConfig cfg, Path out, RunFolder.Mode mode,
                          boolean strict, String configYaml) {
        boolean resume() { return mode == RunFolder.Mode.RESUME; }
    }

    public static final String MODEL = "model.safetensors", CHECKPOINT = "checkpoint.safetensors", INSTANCES = "instances.json", CLUSTERS = "clusters";

    private MaskRcnnRun() {}

    /** Clusters, training set and training (each unless reused); returns the model file. */
    public static Path run(Options o, StageListener listener) throws IOException {
        RunFolder folder = o.configYaml() == null ? null : RunFolder.claim(o.out(), "train maskrcnn", Map.of(), o.mode(), false);
        Files.createDirectories(o.out());
        if (folder != null) AtomicFiles.write(o.out().resolve("config.yml"), out -> out.write(o.configYaml().getBytes(StandardCharsets.UTF_8)));
        Path model = o.out().resolve(MODEL);
        if (o.resume() && Files.exists(model)) {
            listener.info("train maskrcnn: done before (" + model + ")");
            return model;
        }
        VocDataset voc = new VocDataset(Path.of(o.data().root()), o.strict(), listener::problem);
        Path clusters = o.out().resolve(CLUSTERS), instances = o.out().resolve(INSTANCES);
        boolean reuse = o.resume() && ClustersIndex.madeWith(clusters, o.maskdistill(), o.clustering());
        if (reuse) listener.info("train maskrcnn: reusing the clusters in " + clusters);
        else cluster(voc, o, clusters, listener);
        if (!(reuse && Files.exists(instances))) {
            TrainingSet.Summary s = TrainingSet.fromClusters(ClustersIndex.read(clusters), Path.of(o.data().masks()), voc::imageFile, instances, o.strict(), listener);
            listener.info(String.format("train maskrcnn: training set %s: %d images, %d masks (%d empty masks left out, %d images skipped)", instances,
                    s.images(), s.annotations(), s.emptyMasks(), s.skipped()));
        }
        Path trained = train(instances, voc.root().resolve("JPEGImages"), o.cfg(), o.out(), o.resume(), listener);
        if (folder != null) folder.finish(Map.of("iterations", o.cfg().maxIter(), "model", trained.toString()));
        return trained;
    }

    /** Trains (or continues training) a detector on a COCO training set into {@code out}; returns the model file. */
    public static Path train(Path instances, Path imageDir, MaskRcnnConfig cfg, Path out, boolean resume, StageListener listener) throws IOException {
        TrainingSet.Loaded data = TrainingSet.load(instances, imageDir);
        for (String p : data.problems()) listener.problem(p);
        MaskRcnnTrainer trainer = new MaskRcnnTrainer(cfg, data.classes());
        Path checkpoint = out.resolve(CHECKPOINT);
        if (resume && Files.exists(checkpoint)) {
            trainer.resume(checkpoint);
            listener.info(String.format("train maskrcnn: resumed after iteration %d of %d", trainer.iteration(), cfg.maxIter()));
        }
        listener.info(String.format("train maskrcnn: %d images, %d classes, width %d (%s), %d images per iteration, %d iterations; backend %s on %s",
                data.images().size(), data.classes(), cfg.width(), cfg.norm(), cfg.batch(), cfg.maxIter(), Backends.defaultBackend().name(),
                Backends.defaultBackend().device()));
        IterationMetrics metrics = new IterationMetrics(out, trainer.history(), cfg.checkpointPeriod());
        listener.start("train maskrcnn", cfg.maxIter(), trainer.iteration());
        try {
            trainer.train(data.images(), MaskRcnnRun::decode, checkpoint, new MaskRcnnTrainer.Listener() {
                @Override
                public void step(int iteration, double total, double[] t, double lr) {
                    listener.advance(1, String.format("iter %d/%d loss %.3f (rpn %.3f/%.3f cls %.3f box %.3f mask %.3f) lr %.5f", iteration + 1, cfg.maxIter(),
                            total, t[0], t[1], t[2], t[3], t[4], lr));
                }

                @Override
                public void period(int iteration, double[] mean, double lr, double seconds, int images) throws IOException {
                    metrics.period(iteration, mean, lr, seconds, images);
                }
            });
        } finally {
            listener.end();
        }
        metrics.finish();
        Path model = out.resolve(MODEL);
        trainer.saveModel(model, data.categoryIds());
        listener.info(String.format("train maskrcnn: %d iterations done; %s, %s", cfg.maxIter(), model, out.resolve(IterationMetrics.CSV)));
        return model;
    }

    private static dev.maskseg.pipeline.data.Sample decode(TrainingSet.Image im) {
        try {
            return TrainingSet.decode(im);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** §3.3 on the prior's masks: clusters.json (and the prior's pseudo maps) in {@code dir}. */
    static void cluster(VocDataset voc, Options o, Path dir, StageListener listener) throws IOException {
        MaskDistillRun.clusterAndPaint(voc, o.data(), o.clustering(), o.maskdistill(), dir, o.strict(), "train maskrcnn", listener);
    }
}
