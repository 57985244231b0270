package dev.maskseg.spark;

import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.predict.PredictStage;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code maskseg spark predict}: {@link PredictStage#processImage} in the executors (label map and overlay per image),
 * the model (and probe) broadcast and loaded once per executor. As {@code maskseg predict}, every image is written
 * again on a rerun (atomically, so a retried task leaves the same files); an unreadable image is reported and counted
 * as failed.
 */
final class PredictJob {
    private PredictJob() {}

    static Counts run(SparkJob job, String model, String probe, boolean crf, String images, String ids, String out) throws Exception {
        SparkFolder outDir = job.folder(out);
        Counts counts = new Counts();
        List<String> todo = Inputs.images(job, images, ids).stream().map(InputImages.Image::uri).toList();
        ShippedFile m = job.ship(model), p = job.ship(probe);
        load(job.key, m, p, crf); // the driver checks the model (its kind, the probe, --crf) before any task starts
        ImageJobs.run(job.spark, todo, new Task(job.key, job.backend, m, p, crf, outDir), counts.recorder(job.console));
        Partials.remove(job, outDir, outDir.child("overlay"));
        return counts;
    }

    static PredictStage load(String jobKey, ShippedFile model, ShippedFile probe, boolean crf) throws Exception {
        Path probeFile = probe == null ? null : probe.local(jobKey);
        return PredictStage.load(model.local(jobKey), probeFile, crf ? DenseCrf.Params.official() : null);
    }

    private record Task(String jobKey, String backend, ShippedFile model, ShippedFile probe, boolean crf, SparkFolder out)
            implements ImageJobs.ImageTask<Counts.Outcome> {
        @Override
        public Counts.Outcome process(ImageJobs.ImageBytes image) throws Exception {
            ExecutorState.useBackend(backend);
            PredictStage stage = ExecutorState.shared(jobKey + ":stage", () -> load(jobKey, model, probe, crf));
            String stem = ImageFiles.stem(image.name());
            BufferedImage img = Inputs.decode(image);
            if (img == null) return new Counts.Outcome(stem, Counts.Status.FAILED, List.of(image.uri() + ": unreadable image; skipped"));
            stage.processImage(stem, img, out);
            return new Counts.Outcome(stem, Counts.Status.DONE, List.of());
        }
    }
}
