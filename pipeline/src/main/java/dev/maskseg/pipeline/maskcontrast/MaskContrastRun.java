package dev.maskseg.pipeline.maskcontrast;

import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.batch.ProblemLog;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.train.RunMetrics;
import dev.maskseg.pipeline.train.TrainProgress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A MaskContrast training run in a folder: the dataset's images with the prior's masks, {@code checkpoint.safetensors}
 * after every epoch (resumed from with {@code resume}), {@code metrics.csv}/{@code metrics.json} and finally
 * {@code model.safetensors}. Progress goes to the listener as the task "train".
 */
public final class MaskContrastRun {
    /**
     * The {@code data:} and {@code maskcontrast:} sections, the run folder and what may be done with a run already there
     * ({@link RunFolder}), whether to stop at the first bad file, and the effective configuration written to config.yml.
     */
    public record Options(DataConfig data, MaskContrastConfig cfg, Path out, RunFolder.Mode mode, boolean strict, String configYaml) {}

    private MaskContrastRun() {}

    /** Trains (the remaining epochs) and writes the model; returns its file. */
    public static Path run(Options o, StageListener listener) throws IOException {
        MaskContrastConfig cfg = o.cfg();
        RunFolder folder = RunFolder.claim(o.out(), "train maskcontrast", Map.of(), o.mode(), false);
        AtomicFiles.write(o.out().resolve("config.yml"), out -> out.write(o.configYaml().getBytes(StandardCharsets.UTF_8)));
        ProblemLog skipped = new ProblemLog(listener);
        VocDataset voc = new VocDataset(Path.of(o.data().root()), o.strict(), skipped.listener());
        ImageSet images = voc.withMasks(o.data().split(), Path.of(o.data().masks()));
        listener.info(String.format("train maskcontrast: %d images with masks from %s, backend %s on %s", images.size(), o.data().masks(),
                Backends.defaultBackend().name(), Backends.defaultBackend().device()));
        MaskContrastTrainer trainer = new MaskContrastTrainer(cfg).loader(o.data().workers(), o.data().prefetch());
        Path checkpoint = o.out().resolve("checkpoint.safetensors");
        if (folder.continued()) {
            if (!Files.exists(checkpoint)) throw new IllegalArgumentException("--resume: no checkpoint " + checkpoint);
            trainer.resume(checkpoint);
            listener.info(String.format("train maskcontrast: resumed after epoch %d of %d", trainer.epoch(), cfg.epochs()));
        }
        RunMetrics metrics = new RunMetrics(o.out(), "maskcontrast", List.of("loss", "contrastive", "saliency"),
                trainer.history().stream().map(e -> new double[]{e.loss(), e.contrastive(), e.saliency()}).toList());
        int steps = images.size() / cfg.batch();
        try (TrainProgress progress = new TrainProgress(listener, "train", cfg.epochs(), steps, cfg.batch(), trainer.epoch())) {
            trainer.train(images, checkpoint, new MaskContrastTrainer.Listener() {
                @Override
                public void step(int e, int s, int n, double loss, double lr) { progress.step(e, loss, lr); }

                @Override
                public void epochEnd(MaskContrastTrainer.EpochLoss loss, double lr, double seconds) throws IOException {
                    metrics.epochEnd(new double[]{loss.loss(), loss.contrastive(), loss.saliency()}, lr, seconds, steps * cfg.batch());
                    progress.epochEnd(loss.epoch(), MaskContrastTrainer.terms(loss), lr, seconds);
                }
            });
        }
        metrics.finish();
        Path model = o.out().resolve("model.safetensors");
        trainer.saveModel(model);
        folder.finish(Map.of("epochs", cfg.epochs(), "images", images.size(), "skipped", skipped.lines().size(), "errors", skipped.lines()));
        listener.info(String.format("train maskcontrast: %d epochs done; %s, %s", cfg.epochs(), model, o.out().resolve("metrics.csv")));
        return model;
    }
}
