package dev.maskseg.pipeline.eval;

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
        if (classes < 1) throw new IllegalArgumentException("eval miou: --num-classes must be >= 1, got " + classes);
        List<Path> preds;
        try (Stream<Path> s = Files.list(predDir)) {
            preds = s.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".png")).sorted().toList();
        }
        if (preds.isEmpty()) throw new IOException(predDir + ": no PNG predictions");
        Confusion c = new Confusion(classes, ignore);
        for (Path p : preds) {
            String stem = p.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            Path g = gtDir.resolve(stem + ".png");
            if (!Files.exists(g)) throw new IOException("eval miou: no ground truth " + g + " for prediction " + p);
            LabelMaps.LabelMap pm = LabelMaps.read(p), gm = LabelMaps.read(g);
            if (pm.width() != gm.width() || pm.height() != gm.height()) {
                throw new IOException("eval miou: " + p + " is " + pm.width() + "x" + pm.height() + " but " + g + " is " + gm.width() + "x" + gm.height());
            }
            try {
                c.add(pm.labels(), gm.labels());
            } catch (IllegalArgumentException e) {
                throw new IOException("eval miou: " + g + ": " + e.getMessage(), e);
            }
        }
        return Miou.evaluate(c, matching);
    }
}
