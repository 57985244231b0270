package dev.maskseg.spark;

import dev.maskseg.pipeline.features.FeaturesStage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code maskseg spark features}: {@link FeaturesStage#processImage} in the executors, the ViT loaded once per executor
 * from the broadcast weights; images whose file is there are skipped (by the driver, from one listing, and again by
 * the task, so a retried task never rewrites a finished file).
 */
final class FeaturesJob {
    private FeaturesJob() {}

    static Counts run(SparkJob job, String model, String weights, String images, String ids, String out, int resize) throws Exception {
        if (!model.startsWith("vit_")) throw new IllegalArgumentException("features needs a ViT model, got '" + model + "'");
        SparkFolder outDir = job.folder(out);
        Set<String> there = new HashSet<>(outDir.files());
        Counts counts = new Counts();
        List<String> todo = new ArrayList<>();
        for (InputImages.Image i : Inputs.images(job, images, ids)) {
            if (there.contains(FeaturesStage.outputName(i.stem()))) counts.skipped.incrementAndGet();
            else todo.add(i.uri());
        }
        ShippedFile w = job.ship(weights);
        PerImageJob.run(job, todo, counts, key -> FeaturesStage.load(model, w.local(key), resize),
                (stage, stem, file, img) -> stage.processImage(stem, file.name(), img, outDir) ? Counts.Status.DONE : Counts.Status.SKIPPED);
        Partials.remove(job, outDir);
        return counts;
    }
}
