package dev.maskseg.pipeline.train;

import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.data.JsonFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's per-epoch metrics: named loss columns (the first is the total loss), OUT/metrics.csv rewritten atomically
 * after every epoch (so it always matches the checkpoint, resumed runs included) and OUT/metrics.json at the end.
 * Epochs restored from a checkpoint have losses but no timing.
 */
public final class RunMetrics {
    private final Path out;
    private final String method;
    private final List<String> columns;
    private final List<double[]> losses;
    private final Map<Integer, double[]> timing = new HashMap<>();

    public RunMetrics(Path out, String method, List<String> columns, List<double[]> restored) {
        this.out = out;
        this.method = method;
        this.columns = List.copyOf(columns);
        this.losses = new ArrayList<>(restored);
    }

    public void epochEnd(double[] loss, double lr, double seconds, int images) throws IOException {
        losses.add(loss.clone());
        timing.put(losses.size() - 1, new double[]{lr, seconds, images / Math.max(seconds, 1e-9)});
        StringBuilder csv = new StringBuilder("epoch," + String.join(",", columns) + ",lr,seconds,images_per_second\n");
        for (int e = 0; e < losses.size(); e++) {
            csv.append(e + 1);
            for (double v : losses.get(e)) csv.append(String.format(Locale.ROOT, ",%.6f", v));
            double[] t = timing.get(e);
            csv.append(t == null ? ",,," : String.format(Locale.ROOT, ",%s,%.2f,%.2f", t[0], t[1], t[2])).append('\n');
        }
        AtomicFiles.write(out.resolve("metrics.csv"), o -> o.write(csv.toString().getBytes()));
    }

    public void finish() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("epochs", losses.size());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int e = 0; e < losses.size(); e++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("epoch", e + 1);
            for (int c = 0; c < columns.size(); c++) r.put(columns.get(c), losses.get(e)[c]);
            rows.add(r);
        }
        m.put("history", rows);
        if (!losses.isEmpty()) m.put("final_loss", losses.get(losses.size() - 1)[0]);
        JsonFiles.write(out.resolve("metrics.json"), m);
    }
}
