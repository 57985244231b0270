package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.Failures;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.LabelMaps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code maskseg eval miou} on folders of PNG label maps matched by file stem (docs/design.md §4). Every ground-truth
 * map is expected to have a prediction: the outcome counts the pairs scored ({@code matched}), ground truths without a
 * prediction ({@code missing}), predictions without a ground truth ({@code extra}) and pairs that could not be read or
 * do not fit each other ({@code failed}, each one line naming the file), so a partial prediction folder is never
 * scored as if it were whole.
 */
public final class MiouFiles {
    private MiouFiles() {}

    /** The scores and which images they cover. */
    public record Outcome(Miou.Result result, int matched, List<String> missing, List<String> extra, Map<String, String> failed) {
        /** Ground truths the scores do not cover: missing predictions and failed pairs. */
        public int uncovered() { return missing.size() + failed.size(); }
    }

    /** The result's JSON fields (docs/design.md §4): {@code miou}, {@code pixel_accuracy}, {@code per_class_iou}, {@code matching} (pred → class, by pred). */
    public static Map<String, Object> fields(Miou.Result r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("miou", r.miou());
        out.put("pixel_accuracy", r.pixelAccuracy());
        out.put("per_class_iou", r.perClassIou());
        Map<String, Integer> matching = new TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        r.matching().forEach((p, c) -> matching.put(Integer.toString(p), c));
        out.put("matching", matching);
        return out;
    }

    /** {@link #fields(Miou.Result)} and the coverage: {@code matched}, {@code missing}, {@code extra}, {@code failed} counts, and the names. */
    public static Map<String, Object> fields(Outcome o) {
        Map<String, Object> out = fields(o.result());
        out.put("matched", o.matched());
        out.put("missing", o.missing().size());
        out.put("extra", o.extra().size());
        out.put("failed", o.failed().size());
        out.put("missing_images", o.missing());
        out.put("extra_images", o.extra());
        out.put("errors", o.failed());
        return out;
    }

    /** Scores the pairs; every ground truth must be covered (else an error saying which are not). */
    public static Miou.Result evaluate(Path predDir, Path gtDir, int classes, Miou.Matching matching, int ignore) throws IOException {
        return evaluate(predDir, gtDir, classes, matching, ignore, StageListener.NONE);
    }

    /** As {@link #evaluate(Path, Path, int, Miou.Matching, int)}, one step of the task "read label maps" per pair. */
    public static Miou.Result evaluate(Path predDir, Path gtDir, int classes, Miou.Matching matching, int ignore, StageListener listener) throws IOException {
        Outcome o = compare(predDir, gtDir, classes, matching, ignore, listener);
        if (o.uncovered() > 0) throw new IOException(uncoveredMessage(o, predDir, gtDir));
        return o.result();
    }

    /** {@link #compare(Path, Path, Path, int, Miou.Matching, int, StageListener)} over every ground-truth map. */
    public static Outcome compare(Path predDir, Path gtDir, int classes, Miou.Matching matching, int ignore, StageListener listener) throws IOException {
        return compare(predDir, gtDir, null, classes, matching, ignore, listener);
    }

    /**
     * Scores every pair that can be read; missing, extra and failed ones are counted, and failures reported to
     * {@code listener}. With {@code split} (a list of stems, e.g. a VOC split file) only the listed ground truths are
     * expected, and a listed stem without a ground-truth map is an error.
     */
    public static Outcome compare(Path predDir, Path gtDir, Path split, int classes, Miou.Matching matching, int ignore, StageListener listener)
            throws IOException {
        if (classes < 1) throw new IllegalArgumentException("--num-classes must be >= 1, got " + classes);
        TreeMap<String, Path> preds = stems(predDir, "prediction"), gts = stems(gtDir, "ground-truth");
        if (split != null) gts = listed(gts, split, gtDir);
        if (gts.isEmpty()) throw new IOException(gtDir + ": no PNG ground-truth label maps");
        if (preds.isEmpty()) throw new IOException(predDir + ": no PNG predictions");
        List<String> missing = new ArrayList<>(), extra = new ArrayList<>();
        for (String g : gts.keySet()) if (!preds.containsKey(g)) missing.add(g);
        for (String p : preds.keySet()) if (!gts.containsKey(p)) extra.add(p);
        Map<String, String> failed = new TreeMap<>();
        Confusion c = new Confusion(classes, ignore);
        int matched = 0;
        try (StageListener.Task task = listener.task("read label maps", gts.size() - missing.size(), "images")) {
            for (String stem : gts.keySet()) {
                if (!preds.containsKey(stem)) continue;
                if (pair(c, stem, preds.get(stem), gts.get(stem), failed, listener)) matched++;
                task.step();
            }
        }
        if (matched == 0) throw new IOException(noneScored(predDir.toString(), gtDir.toString(), missing.size(), extra.size(), failed.size()));
        return new Outcome(Miou.evaluate(c, matching), matched, missing, extra, failed);
    }

    /** One pair counted into {@code c}; false (recorded in {@code failed} and reported) when it cannot be read or does not fit. */
    private static boolean pair(Confusion c, String stem, Path p, Path g, Map<String, String> failed, StageListener listener) {
        try {
            add(c, p.toString(), LabelMaps.read(p), g.toString(), LabelMaps.read(g));
            return true;
        } catch (IOException e) {
            String line = Failures.describe(e);
            failed.put(stem, line);
            listener.problem(line + "; not scored");
            return false;
        }
    }

    /** The error of folders with no pair that could be scored. */
    public static String noneScored(String predDir, String gtDir, int missing, int extra, int failed) {
        return "no prediction in " + predDir + " could be scored against " + gtDir + " (" + missing + " missing, " + extra + " without ground truth, "
                + failed + " failed)";
    }

    /** Why {@code o} does not cover every ground truth, for the error that refuses it. */
    public static String uncoveredMessage(Outcome o, Path predDir, Path gtDir) { return uncoveredMessage(o, predDir.toString(), gtDir.toString()); }

    /** As {@link #uncoveredMessage(Outcome, Path, Path)}, the folders as named (local paths or URIs). */
    public static String uncoveredMessage(Outcome o, String predDir, String gtDir) {
        List<String> names = new ArrayList<>(o.missing());
        names.addAll(o.failed().keySet());
        String some = String.join(", ", names.subList(0, Math.min(5, names.size()))) + (names.size() > 5 ? ", ..." : "");
        return o.uncovered() + " of " + (o.matched() + o.uncovered()) + " ground-truth maps in " + gtDir + " have no usable prediction in " + predDir
                + " (" + o.missing().size() + " missing, " + o.failed().size() + " failed: " + some + "); pass --allow-missing to score only the "
                + o.matched() + " that have one";
    }

    private static TreeMap<String, Path> listed(TreeMap<String, Path> gts, Path split, Path gtDir) throws IOException {
        if (!Files.exists(split)) throw new NoSuchFileException(split.toString(), null, "does not exist");
        TreeMap<String, Path> out = new TreeMap<>();
        for (String id : listedStems(Files.readAllLines(split), gts.keySet(), split.toString(), gtDir.toString())) out.put(id, gts.get(id));
        return out;
    }

    /** The stems a split file's {@code lines} list (blank lines skipped), each of which must be among {@code gtStems}. */
    public static List<String> listedStems(List<String> lines, Set<String> gtStems, String split, String gtDir) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String id = line.trim();
            if (id.isEmpty()) continue;
            if (!gtStems.contains(id)) throw new IOException(split + ": lists " + id + ", which has no ground-truth map in " + gtDir);
            out.add(id);
        }
        if (out.isEmpty()) throw new IOException(split + ": lists no ids");
        return out;
    }

    private static TreeMap<String, Path> stems(Path dir, String what) throws IOException {
        if (!Files.exists(dir)) throw new NoSuchFileException(dir.toString(), null, "does not exist");
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": is a file, not a folder of " + what + " label maps");
        try (Stream<Path> s = Files.list(dir)) {
            TreeMap<String, Path> out = new TreeMap<>();
            s.filter(p -> isPrediction(p.getFileName().toString())).forEach(p -> {
                String n = p.getFileName().toString();
                out.put(n.substring(0, n.length() - 4), p);
            });
            return out;
        }
    }

    /** Whether a file of the prediction folder is a prediction (a PNG). */
    public static boolean isPrediction(String fileName) { return fileName.toLowerCase().endsWith(".png"); }

    /** The ground-truth file name of a prediction: the same stem, {@code .png}. */
    public static String groundTruthName(String predictionName) { return predictionName.replaceFirst("\\.[^.]+$", "") + ".png"; }

    /** The error of a prediction without ground truth. */
    public static String noGroundTruth(String gt, String pred) { return "no ground truth " + gt + " for prediction " + pred; }

    /** One prediction and its ground truth (named in messages) counted into {@code c}; sizes must agree, labels lie in range. */
    public static void add(Confusion c, String pred, LabelMaps.LabelMap pm, String gt, LabelMaps.LabelMap gm) throws IOException {
        if (pm.width() != gm.width() || pm.height() != gm.height()) {
            throw new IOException(pred + " is " + pm.width() + "x" + pm.height() + " but " + gt + " is " + gm.width() + "x" + gm.height());
        }
        try {
            c.add(pm.labels(), gm.labels());
        } catch (IllegalArgumentException e) {
            throw new IOException(gt + ": " + e.getMessage(), e);
        }
    }
}
