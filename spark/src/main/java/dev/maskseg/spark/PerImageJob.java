package dev.maskseg.spark;

import dev.maskseg.pipeline.Failures;
import dev.maskseg.pipeline.data.ImageFiles;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * A per-image stage as a Spark job: its stage object (a loaded model) made once per executor JVM, then every image
 * decoded in the executor and handed to it; an image that does not decode is one problem line naming it and why, counts
 * as failed and is recorded (with {@code strict} it stops the job).
 * A new stage (detection, say) is a {@link Factory} and an {@link Work} over its pipeline API, and a command.
 */
final class PerImageJob {
    /** Makes the stage in an executor (and on the driver, which checks it before any task starts). */
    interface Factory<S> extends Serializable {
        S create(String jobKey) throws Exception;
    }

    /** One decoded image through the stage: done, or skipped when its output was there. */
    interface Work<S> extends Serializable {
        Counts.Status process(S stage, String stem, ImageJobs.ImageBytes file, BufferedImage image) throws Exception;
    }

    private PerImageJob() {}

    /** Makes the stage on the driver (its errors come before Spark runs a task), then runs it over {@code uris} into {@code counts}. */
    static <S> void run(SparkJob job, List<String> uris, Counts counts, boolean strict, Factory<S> factory, Work<S> work) throws Exception {
        ExecutorState.shared(job.key + ":stage", () -> factory.create(job.key));
        ImageJobs.run(job.spark, uris, new Task<>(job.key, job.backend, factory, work), counts.recorder(job.console, strict));
    }

    private record Task<S>(String jobKey, String backend, Factory<S> factory, Work<S> work) implements ImageJobs.ImageTask<Counts.Outcome> {
        @Override
        public Counts.Outcome process(ImageJobs.ImageBytes file) throws Exception {
            ExecutorState.useBackend(backend);
            S stage = ExecutorState.shared(jobKey + ":stage", () -> factory.create(jobKey));
            String stem = ImageFiles.stem(file.name());
            BufferedImage img;
            try {
                img = Inputs.decode(file);
            } catch (IOException | RuntimeException e) {
                String line = Failures.describe(e);
                return new Counts.Outcome(stem, Counts.Status.FAILED, List.of(line.contains(file.source()) ? line : file.source() + ": " + line), null);
            }
            return new Counts.Outcome(stem, work.process(stage, stem, file, img), List.of(), ExecutorState.backendInUse());
        }
    }
}
