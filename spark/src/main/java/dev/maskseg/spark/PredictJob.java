package dev.maskseg.spark;

import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.batch.BatchOptions;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.predict.PredictStage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code maskseg spark predict}: {@link PredictStage#processImage} in the executors (label map and overlay per image),
 * the model (and probe) broadcast and loaded once per executor. The output folder is claimed as {@code maskseg predict}
 * claims it ({@link RunFolder}: a finished run is refused without --resume or --overwrite); a continued run skips the
 * images whose label map and overlay are there, the others are written atomically (a retried task leaves the same files).
 */
final class PredictJob {
    private PredictJob() {}

    static Counts run(SparkJob job, String model, String probe, boolean crf, int size, String images, String ids, String out, BatchOptions options)
            throws Exception {
        SparkFolder outDir = job.folder(out);
        List<InputImages.Image> all = Inputs.images(job, images, ids);
        Map<String, String> in = new LinkedHashMap<>();
        in.put("model", job.file(model).toString());
        in.put("probe", probe == null ? "" : job.file(probe).toString());
        in.put("crf", Boolean.toString(crf));
        in.put("size", Integer.toString(size));
        in.put("images", job.folder(images).location());
        in.put("overlays", "true");
        RunFolder run = RunFolder.claim(outDir, "predict", in, options.mode(), true);
        Set<String> labels = run.continued() ? new HashSet<>(outDir.files()) : Set.of();
        Set<String> overlays = run.continued() ? new HashSet<>(outDir.child("overlay").files()) : Set.of();
        Counts counts = new Counts();
        List<String> todo = new ArrayList<>();
        for (InputImages.Image i : all) {
            if (labels.contains(i.stem() + ".png") && overlays.contains(i.stem() + ".png")) counts.skipped.incrementAndGet();
            else todo.add(i.uri());
        }
        ShippedFile m = job.ship(model), p = job.ship(probe);
        PerImageJob.run(job, todo, counts, options.strict(),
                key -> PredictStage.load(m.local(key), p == null ? null : p.local(key), crf ? DenseCrf.Params.official() : null, size),
                (stage, stem, file, img) -> {
                    stage.processImage(stem, img, outDir);
                    return Counts.Status.DONE;
                });
        Partials.remove(job, outDir, outDir.child("overlay"));
        run.finish(counts.summary(all.size(), "labelled"));
        return counts;
    }
}
