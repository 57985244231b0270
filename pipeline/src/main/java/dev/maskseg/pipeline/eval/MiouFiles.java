package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.LabelMaps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** {@code maskseg eval miou} on folders of PNG label maps matched by file stem (docs/design.md §4). */
public final class MiouFiles {
    private MiouFiles() {}

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

    public static Miou.Result evaluate(Path predDir, Path gtDir, int classes, Miou.Matching matching, int ignore) throws IOException {
        return evaluate(predDir, gtDir, classes, matching, ignore, StageListener.NONE);
    }

    /** As {@link #evaluate(Path, Path, int, Miou.Matching, int)}, one step of the task "read label maps" per prediction. */
    public static Miou.Result evaluate(Path predDir, Path gtDir, int classes, Miou.Matching matching, int ignore, StageListener listener) throws IOException {
        if (classes < 1) throw new IllegalArgumentException("eval miou: --num-classes must be >= 1, got " + classes);
        List<Path> preds;
        try (Stream<Path> s = Files.list(predDir)) {
            preds = s.filter(p -> isPrediction(p.getFileName().toString())).sorted().toList();
        }
        if (preds.isEmpty()) throw new IOException(predDir + ": no PNG predictions");
        Confusion c = new Confusion(classes, ignore);
        try (StageListener.Task task = listener.task("read label maps", preds.size(), "images")) {
            for (Path p : preds) {
                Path g = gtDir.resolve(groundTruthName(p.getFileName().toString()));
                if (!Files.exists(g)) throw new IOException(noGroundTruth(g.toString(), p.toString()));
                add(c, p.toString(), LabelMaps.read(p), g.toString(), LabelMaps.read(g));
                task.step();
            }
        }
        return Miou.evaluate(c, matching);
    }

    /** Whether a file of the prediction folder is a prediction (a PNG). */
    public static boolean isPrediction(String fileName) { return fileName.toLowerCase().endsWith(".png"); }

    /** The ground-truth file name of a prediction: the same stem, {@code .png}. */
    public static String groundTruthName(String predictionName) { return predictionName.replaceFirst("\\.[^.]+$", "") + ".png"; }

    /** The error of a prediction without ground truth. */
    public static String noGroundTruth(String gt, String pred) { return "eval miou: no ground truth " + gt + " for prediction " + pred; }

    /** One prediction and its ground truth (named in messages) counted into {@code c}; sizes must agree, labels lie in range. */
    public static void add(Confusion c, String pred, LabelMaps.LabelMap pm, String gt, LabelMaps.LabelMap gm) throws IOException {
        if (pm.width() != gm.width() || pm.height() != gm.height()) {
            throw new IOException("eval miou: " + pred + " is " + pm.width() + "x" + pm.height() + " but " + gt + " is " + gm.width() + "x" + gm.height());
        }
        try {
            c.add(pm.labels(), gm.labels());
        } catch (IllegalArgumentException e) {
            throw new IOException("eval miou: " + gt + ": " + e.getMessage(), e);
        }
    }
}
