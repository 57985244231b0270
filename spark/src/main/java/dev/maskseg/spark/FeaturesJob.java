package dev.maskseg.spark;

import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.features.FeaturesStage;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code maskseg spark features}: {@link FeaturesStage#processImage} in the executors, the ViT loaded once per executor
 * from the broadcast weights; images whose file is there are skipped (by the driver, from one listing, and again by
 * the task, so a retried task never rewrites a finished file). An unreadable image is reported and counted as failed.
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
        FeaturesStage.load(model, w.local(job.key), resize); // the driver checks the weights before any task starts
        ImageJobs.run(job.spark, todo, new Task(job.key, job.backend, model, w, resize, outDir), counts.recorder(job.console));
        Partials.remove(job, outDir);
        return counts;
    }

    private record Task(String jobKey, String backend, String model, ShippedFile weights, int resize, SparkFolder out) implements ImageJobs.ImageTask<Counts.Outcome> {
        @Override
        public Counts.Outcome process(ImageJobs.ImageBytes image) throws Exception {
            ExecutorState.useBackend(backend);
            FeaturesStage stage = ExecutorState.shared(jobKey + ":stage", () -> FeaturesStage.load(model, weights.local(jobKey), resize));
            String stem = ImageFiles.stem(image.name());
            BufferedImage img = Inputs.decode(image);
            if (img == null) return new Counts.Outcome(stem, Counts.Status.FAILED, List.of(image.uri() + ": not a readable PNG/JPEG; skipped"));
            boolean wrote = stage.processImage(stem, image.name(), img, out);
            return new Counts.Outcome(stem, wrote ? Counts.Status.DONE : Counts.Status.SKIPPED, List.of());
        }
    }
}
