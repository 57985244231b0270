package dev.maskseg.pipeline.maskrcnn;

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
 * A detector run's metrics, one row per checkpoint period: the iteration reached, the mean total loss and the five terms
 * ({@link MaskRcnnLosses.Terms#NAMES}), lr, seconds and images/s; {@code metrics.csv} rewritten atomically after every
 * period (so it always matches the checkpoint, resumed runs included) and {@code metrics.json} at the end. Periods
 * restored from a checkpoint have losses but no timing.
 */
final class IterationMetrics {
    static final String CSV = "metrics.csv", JSON = "metrics.json";
    private final Path out;
    private final List<double[]> rows;
    private final List<Integer> iterations = new ArrayList<>();
    private final Map<Integer, double[]> timing = new HashMap<>();

    IterationMetrics(Path out, List<double[]> restored, int period) {
        this.out = out;
        this.rows = new ArrayList<>(restored);
        for (int i = 0; i < restored.size(); i++) iterations.add((i + 1) * period);
    }

    void period(int iteration, double[] mean, double lr, double seconds, int images) throws IOException {
        rows.add(mean.clone());
        iterations.add(iteration);
        timing.put(rows.size() - 1, new double[]{lr, seconds, images / Math.max(seconds, 1e-9)});
        StringBuilder csv = new StringBuilder("iteration,loss," + String.join(",", MaskRcnnLosses.Terms.NAMES) + ",lr,seconds,images_per_second\n");
        for (int r = 0; r < rows.size(); r++) {
            csv.append(iterations.get(r));
            for (double v : rows.get(r)) csv.append(String.format(Locale.ROOT, ",%.6f", v));
            double[] t = timing.get(r);
            csv.append(t == null ? ",,," : String.format(Locale.ROOT, ",%s,%.2f,%.2f", t[0], t[1], t[2])).append('\n');
        }
        AtomicFiles.write(out.resolve(CSV), o -> o.write(csv.toString().getBytes()));
    }

    void finish() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "maskrcnn");
        List<Map<String, Object>> history = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("iteration", iterations.get(r));
            row.put("loss", rows.get(r)[0]);
            for (int k = 0; k < 5; k++) row.put(MaskRcnnLosses.Terms.NAMES[k], rows.get(r)[k + 1]);
            history.add(row);
        }
        m.put("iterations", iterations.isEmpty() ? 0 : iterations.get(iterations.size() - 1));
        m.put("history", history);
        if (!rows.isEmpty()) m.put("final_loss", rows.get(rows.size() - 1)[0]);
        JsonFiles.write(out.resolve(JSON), m);
    }
}
