package dev.maskseg.spark;

import dev.maskseg.pipeline.data.JsonFiles;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.eval.MiouFiles;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * {@code maskseg spark eval miou}: one confusion table per partition in the executors (each prediction read by Spark,
 * its ground truth by the task), added up on the driver, then the same matching and JSON as {@code maskseg eval miou}
 * ({@link MiouFiles}). A bad pair (no ground truth, sizes that differ, a label out of range) fails the evaluation as
 * it does there, with the message of the first such prediction by name.
 */
final class EvalMiouJob {
    /** A partition's table, or the first bad pair (by prediction name) it met. */
    record Part(Confusion confusion, String firstBad, String error) implements Serializable {}

    private EvalMiouJob() {}

    static Miou.Result run(SparkJob job, String pred, String gt, int classes, Miou.Matching matching, int ignore, String json) throws Exception {
        if (classes < 1) throw new IllegalArgumentException("eval miou: --num-classes must be >= 1, got " + classes);
        SparkFolder predDir = job.folder(pred);
        if (!predDir.isDirectory()) throw new IOException(predDir + ": not a folder");
        List<String> uris = new ArrayList<>();
        for (String name : predDir.files()) if (MiouFiles.isPrediction(name)) uris.add(predDir.uri(name));
        if (uris.isEmpty()) throw new IOException(predDir + ": no PNG predictions");
        SparkFolder.File out = job.file(json);
        Confusion total = new Confusion(classes, ignore);
        List<Part> bad = new ArrayList<>();
        ImageJobs.runPartitions(job.spark, uris, new Task(job.folder(gt), classes, ignore), p -> {
            if (p.error() != null) bad.add(p);
            else total.addAll(p.confusion());
        });
        if (!bad.isEmpty()) {
            bad.sort((a, b) -> a.firstBad().compareTo(b.firstBad()));
            throw new IOException(bad.get(0).error());
        }
        Miou.Result r = Miou.evaluate(total, matching);
        byte[] bytes = JsonFiles.bytes(MiouFiles.fields(r));
        out.folder().write(out.name(), o -> o.write(bytes));
        return r;
    }

    /** Executor side: the partition's pairs into one table, or its bad pair of the smallest name (Spark orders a partition's files by size). */
    private record Task(SparkFolder gtDir, int classes, int ignore) implements ImageJobs.PartitionTask<Part> {
        @Override
        public List<Part> process(Iterator<ImageJobs.ImageBytes> preds) throws Exception {
            Confusion c = new Confusion(classes, ignore);
            Part bad = null;
            while (preds.hasNext()) {
                ImageJobs.ImageBytes p = preds.next();
                String gtName = MiouFiles.groundTruthName(p.name());
                try {
                    byte[] g;
                    try {
                        g = gtDir.read(gtName);
                    } catch (FileNotFoundException | NoSuchFileException e) {
                        throw new IOException(MiouFiles.noGroundTruth(gtDir.path(gtName), p.uri()));
                    }
                    MiouFiles.add(c, p.uri(), LabelMaps.read(p.uri(), p.bytes()), gtDir.path(gtName), LabelMaps.read(gtDir.path(gtName), g));
                } catch (IOException e) {
                    if (bad == null || p.name().compareTo(bad.firstBad()) < 0) bad = new Part(null, p.name(), e.getMessage());
                }
            }
            return List.of(bad != null ? bad : new Part(c, null, null));
        }
    }
}
