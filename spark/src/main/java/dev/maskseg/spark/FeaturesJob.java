package dev.maskseg.spark;

import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.batch.BatchOptions;
import dev.maskseg.pipeline.features.FeaturesStage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code maskseg spark features}: {@link FeaturesStage#processImage} in the executors, the ViT loaded once per executor
 * from the broadcast weights. The output folder is claimed as {@code maskseg features} claims it ({@link RunFolder}:
 * run.json, --resume/--overwrite); in a continued run images whose file is there are skipped (by the driver, from one
 * listing, and again by the task, so a retried task never rewrites a finished file); --overwrite writes every file again.
 */
final class FeaturesJob {
    private FeaturesJob() {}

    static Counts run(SparkJob job, String model, String weights, String images, String ids, String out, int resize, BatchOptions options) throws Exception {
        if (!model.startsWith("vit_")) throw new IllegalArgumentException("features needs a ViT model, got '" + model + "'");
        SparkFolder outDir = job.folder(out);
        List<InputImages.Image> all = Inputs.images(job, images, ids);
        RunFolder run = RunFolder.claim(outDir, "features", Map.of("model", model, "resize", Integer.toString(resize), "images", job.folder(images).location()),
                options.mode(), true);
        Set<String> there = run.continued() ? new HashSet<>(outDir.files()) : Set.of();
        Counts counts = new Counts();
        List<String> todo = new ArrayList<>();
        for (InputImages.Image i : all) {
            if (there.contains(FeaturesStage.outputName(i.stem()))) counts.skipped.incrementAndGet();
            else todo.add(i.uri());
        }
        ShippedFile w = job.ship(weights);
        boolean replace = options.mode() == RunFolder.Mode.OVERWRITE;
        PerImageJob.run(job, todo, counts, options.strict(), key -> FeaturesStage.load(model, w.local(key), resize),
                (stage, stem, file, img) -> stage.processImage(stem, file.name(), img, outDir, replace) ? Counts.Status.DONE : Counts.Status.SKIPPED);
        Partials.remove(job, outDir);
        run.finish(counts.summary(all.size(), null));
        return counts;
    }
}
