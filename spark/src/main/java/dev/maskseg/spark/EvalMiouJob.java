package dev.maskseg.spark;

import dev.maskseg.pipeline.Failures;
import dev.maskseg.pipeline.data.JsonFiles;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.eval.MiouFiles;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * {@code maskseg spark eval miou}: one confusion table per partition in the executors (each prediction read by Spark,
 * its ground truth by the task), added up on the driver, then the same matching, coverage and JSON as
 * {@code maskseg eval miou} ({@link MiouFiles}): the driver lists both folders, so ground truths without a prediction
 * are {@code missing} and predictions without a ground truth {@code extra}; a pair that cannot be read or does not fit
 * is {@code failed} (one line naming it). Missing or failed pairs fail the evaluation unless {@code allowMissing}.
 */
final class EvalMiouJob {
    /** A partition's table and its failed pairs (stem → error line). */
    record Part(Confusion confusion, TreeMap<String, String> failed) implements Serializable {}

    private EvalMiouJob() {}

    static MiouFiles.Outcome run(SparkJob job, String pred, String gt, String split, int classes, Miou.Matching matching, int ignore, boolean allowMissing,
                                 String json) throws Exception {
        if (classes < 1) throw new IllegalArgumentException("--num-classes must be >= 1, got " + classes);
        SparkFolder predDir = job.folder(pred), gtDir = job.folder(gt);
        TreeMap<String, String> preds = stems(predDir, "prediction"), gts = stems(gtDir, "ground-truth");
        if (split != null) {
            SparkFolder.File list = job.file(split);
            if (!list.folder().exists(list.name())) throw new NoSuchFileException(list.toString(), null, "does not exist");
            List<String> lines = new String(list.folder().read(list.name()), StandardCharsets.UTF_8).lines().toList();
            TreeMap<String, String> listed = new TreeMap<>();
            for (String id : MiouFiles.listedStems(lines, gts.keySet(), list.toString(), gtDir.toString())) listed.put(id, gts.get(id));
            gts = listed;
        }
        if (gts.isEmpty()) throw new IOException(gtDir + ": no PNG ground-truth label maps");
        if (preds.isEmpty()) throw new IOException(predDir + ": no PNG predictions");
        List<String> missing = new ArrayList<>(), extra = new ArrayList<>(), uris = new ArrayList<>();
        for (var g : gts.entrySet()) {
            if (preds.containsKey(g.getKey())) uris.add(predDir.uri(preds.get(g.getKey())));
            else missing.add(g.getKey());
        }
        for (String p : preds.keySet()) if (!gts.containsKey(p)) extra.add(p);
        SparkFolder.File out = job.file(json);
        Confusion total = new Confusion(classes, ignore);
        TreeMap<String, String> failed = new TreeMap<>();
        ImageJobs.runPartitions(job.spark, uris, new Task(gtDir, classes, ignore), p -> {
            total.addAll(p.confusion());
            failed.putAll(p.failed());
        });
        failed.values().forEach(line -> job.console.problem(line + "; not scored"));
        int matched = uris.size() - failed.size();
        if (matched == 0) throw new IOException(MiouFiles.noneScored(predDir.toString(), gtDir.toString(), missing.size(), extra.size(), failed.size()));
        MiouFiles.Outcome o = new MiouFiles.Outcome(Miou.evaluate(total, matching), matched, missing, extra, failed);
        if (o.uncovered() > 0 && !allowMissing) throw new IOException(MiouFiles.uncoveredMessage(o, predDir.toString(), gtDir.toString()));
        if (!extra.isEmpty()) {
            System.err.printf("eval miou: %d prediction(s) in %s have no ground truth in %s and are not scored%n", extra.size(), predDir, gtDir);
        }
        byte[] bytes = JsonFiles.bytes(MiouFiles.fields(o));
        out.folder().write(out.name(), o2 -> o2.write(bytes));
        return o;
    }

    /** The PNG label maps of a folder by stem (stem → file name); a missing folder or a file is an error naming it. */
    private static TreeMap<String, String> stems(SparkFolder dir, String what) throws IOException {
        if (!dir.isDirectory()) {
            if (dir.isFile()) throw new IOException(dir + ": is a file, not a folder of " + what + " label maps");
            throw new NoSuchFileException(dir.toString(), null, "does not exist");
        }
        TreeMap<String, String> out = new TreeMap<>();
        for (String name : dir.files()) if (MiouFiles.isPrediction(name)) out.put(name.substring(0, name.length() - 4), name);
        return out;
    }

    /** Executor side: the partition's pairs into one table; a pair that cannot be read or does not fit is recorded, not counted. */
    private record Task(SparkFolder gtDir, int classes, int ignore) implements ImageJobs.PartitionTask<Part> {
        @Override
        public List<Part> process(Iterator<ImageJobs.ImageBytes> preds) {
            Confusion c = new Confusion(classes, ignore);
            TreeMap<String, String> failed = new TreeMap<>();
            while (preds.hasNext()) {
                ImageJobs.ImageBytes p = preds.next();
                String gtName = MiouFiles.groundTruthName(p.name());
                try {
                    LabelMaps.LabelMap pm = LabelMaps.read(p.source(), p.bytes()), gm = LabelMaps.read(gtDir.path(gtName), gtDir.read(gtName));
                    MiouFiles.add(c, p.source(), pm, gtDir.path(gtName), gm);
                } catch (IOException | RuntimeException e) {
                    failed.put(p.name().substring(0, p.name().length() - 4), Failures.describe(e));
                }
            }
            return List.of(new Part(c, failed));
        }
    }
}
