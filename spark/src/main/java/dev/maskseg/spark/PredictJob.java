package dev.maskseg.spark;

import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.predict.PredictStage;

import java.util.List;

/**
 * {@code maskseg spark predict}: {@link PredictStage#processImage} in the executors (label map and overlay per image),
 * the model (and probe) broadcast and loaded once per executor. As {@code maskseg predict}, every image is written
 * again on a rerun (atomically, so a retried task leaves the same files).
 */
final class PredictJob {
    private PredictJob() {}

    static Counts run(SparkJob job, String model, String probe, boolean crf, int size, String images, String ids, String out) throws Exception {
        SparkFolder outDir = job.folder(out);
        Counts counts = new Counts();
        List<String> todo = Inputs.images(job, images, ids).stream().map(InputImages.Image::uri).toList();
        ShippedFile m = job.ship(model), p = job.ship(probe);
        PerImageJob.run(job, todo, counts,
                key -> PredictStage.load(m.local(key), p == null ? null : p.local(key), crf ? DenseCrf.Params.official() : null, size),
                (stage, stem, file, img) -> {
                    stage.processImage(stem, img, outDir);
                    return Counts.Status.DONE;
                });
        Partials.remove(job, outDir, outDir.child("overlay"));
        return counts;
    }
}
