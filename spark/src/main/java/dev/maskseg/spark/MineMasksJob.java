package dev.maskseg.spark;

import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.batch.BatchOptions;
import dev.maskseg.pipeline.batch.BatchStopped;
import dev.maskseg.pipeline.data.MasksIndex;
import dev.maskseg.pipeline.mining.MaskMiningStage;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.Priors;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code maskseg spark mine-masks}: {@link MaskMiningStage#processImage} on every image not yet done, in the executors,
 * with the masks written straight into the output folder; the driver records each partition's entries in
 * {@link MasksIndex masks.json} as the partition finishes (saved at most every two seconds, and at the end), so the
 * folder ends as {@code maskseg mine-masks} leaves it (claimed the same way, {@link RunFolder}: an interrupted run is
 * continued, a finished one needs --resume or --overwrite) and a continued run skips what is done. A {@code weights=} parameter's
 * file is broadcast once per executor.
 */
final class MineMasksJob {
    /** One image's entry and the problems reported on it. */
    record Result(String stem, MasksIndex.Entry entry, List<String> problems, String backend) implements Serializable {}

    private MineMasksJob() {}

    static MaskMiningStage.Summary run(SparkJob job, String priorName, Map<String, String> given, String images, String ids, String out,
                                       BatchOptions options, Counts.Backends backends) throws Exception {
        MaskPrior prior = Priors.get(priorName, job.loader);
        PriorParams params = PriorParams.resolve(prior, given);
        SparkFolder outDir = job.folder(out);
        List<InputImages.Image> all = Inputs.images(job, images, ids);
        RunFolder run = RunFolder.claim(outDir, "mine-masks", Map.of("images", job.folder(images).location()), options.mode(), true);
        ListedFolder listed = ListedFolder.of(outDir);
        MasksIndex index = run.continued() ? MasksIndex.openForWriting(listed, prior.name(), params.asMap()) : MasksIndex.empty(listed, prior.name(), params.asMap());
        index.save(); // a valid index from the start, as maskseg mine-masks leaves one
        Map<String, String> errors = new TreeMap<>();
        List<String> todo = new ArrayList<>();
        int alreadyDone = 0;
        for (InputImages.Image i : all) {
            if (index.done(i.stem())) alreadyDone++;
            else todo.add(i.uri());
        }
        String weights = params.asMap().get("weights");
        Task task = new Task(job.key, job.backend, prior.name(), params.asMap(), weights == null || weights.isEmpty() ? null : job.ship(weights), outDir);
        AtomicInteger mined = new AtomicInteger(), masks = new AtomicInteger(), dropped = new AtomicInteger(), failed = new AtomicInteger();
        long start = System.nanoTime();
        try {
            ImageJobs.run(job.spark, todo, task, r -> {
                boolean bad = MasksIndex.Entry.ERROR.equals(r.entry().status());
                if (bad && options.strict()) {
                    throw new UncheckedIOException(new BatchStopped(r.entry().error() + " (--strict stops at the first bad file)", null));
                }
                r.problems().forEach(job.console::problem);
                backends.add(r.backend());
                if (bad) errors.put(r.stem(), r.entry().error());
                try {
                    index.record(r.stem(), r.entry());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                switch (r.entry().status()) {
                    case MasksIndex.Entry.ERROR -> failed.incrementAndGet();
                    case MasksIndex.Entry.DROPPED -> dropped.incrementAndGet();
                    default -> mined.incrementAndGet();
                }
                masks.addAndGet(r.entry().masks().size());
            });
            Partials.remove(job, outDir);
        } finally {
            index.save();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("images", all.size());
        summary.put("mined", mined.get());
        summary.put("masks", masks.get());
        summary.put("dropped", dropped.get());
        summary.put("already_done", alreadyDone);
        summary.put("failed", failed.get());
        summary.put("errors", errors);
        run.finish(summary);
        return new MaskMiningStage.Summary(prior.name(), mined.get(), masks.get(), dropped.get(), failed.get(), alreadyDone, (System.nanoTime() - start) / 1e9,
                job.cores(), java.nio.file.Path.of(outDir.path(MasksIndex.FILE)));
    }

    /** Executor side: the stage (and the prior's model) once per JVM, then one image. */
    private record Task(String jobKey, String backend, String prior, Map<String, String> params, ShippedFile weights, SparkFolder out)
            implements ImageJobs.ImageTask<Result> {
        @Override
        public Result process(ImageJobs.ImageBytes image) throws Exception {
            ExecutorState.useBackend(backend);
            MaskMiningStage stage = ExecutorState.shared(jobKey + ":stage", () -> {
                Map<String, String> p = new HashMap<>(params);
                if (weights != null) p.put("weights", weights.local(jobKey).toString());
                MaskPrior mp = Priors.get(prior, Thread.currentThread().getContextClassLoader());
                return new MaskMiningStage(mp, PriorParams.resolve(mp, p));
            });
            List<String> problems = new ArrayList<>();
            String stem = dev.maskseg.pipeline.data.ImageFiles.stem(image.name());
            MasksIndex.Entry e = stage.processImage(stem, image.source(), image.bytes(), out, new StageListener() {
                @Override public void problem(String message) { problems.add(message); }
            });
            return new Result(stem, e, problems, ExecutorState.backendInUse());
        }
    }
}
