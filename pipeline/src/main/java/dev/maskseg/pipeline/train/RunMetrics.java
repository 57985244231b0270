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
 * A run's per-epoch metrics: named columns (the first is the total loss; a NaN value is an empty cell / null),
 * OUT/metrics.csv rewritten atomically after every epoch (so it always matches the checkpoint, resumed runs included)
 * and OUT/metrics.json at the end. Epochs restored from a checkpoint have values but no timing. A run of several rounds
 * (MaskDistill's CRF rounds) writes one table with a leading {@code round} column: the earlier rounds' rows, then the
 * current round's.
 */
public final class RunMetrics {
    private final Path out;
    private final String method;
    private final List<String> columns;
    private final List<List<double[]>> earlierRounds;
    private final int round;
    private final List<double[]> rows;
    private final Map<Integer, double[]> timing = new HashMap<>();

    public RunMetrics(Path out, String method, List<String> columns, List<double[]> restored) { this(out, method, columns, null, 0, restored); }

    private RunMetrics(Path out, String method, List<String> columns, List<List<double[]>> earlierRounds, int round, List<double[]> restored) {
        this.out = out;
        this.method = method;
        this.columns = List.copyOf(columns);
        this.earlierRounds = earlierRounds;
        this.round = round;
        this.rows = new ArrayList<>(restored);
    }

    /** Round {@code round} of a run of rounds; {@code earlierRounds} holds rounds 0..round-1's rows. */
    public static RunMetrics round(Path out, String method, List<String> columns, List<List<double[]>> earlierRounds, int round, List<double[]> restored) {
        if (earlierRounds.size() != round) throw new IllegalArgumentException("metrics: round " + round + " with " + earlierRounds.size() + " earlier rounds");
        return new RunMetrics(out, method, columns, List.copyOf(earlierRounds), round, restored);
    }

    public void epochEnd(double[] values, double lr, double seconds, int images) throws IOException {
        rows.add(values.clone());
        timing.put(rows.size() - 1, new double[]{lr, seconds, images / Math.max(seconds, 1e-9)});
        StringBuilder csv = new StringBuilder((earlierRounds != null ? "round," : "") + "epoch," + String.join(",", columns) + ",lr,seconds,images_per_second\n");
        if (earlierRounds != null) for (int r = 0; r < earlierRounds.size(); r++) appendRows(csv, r, earlierRounds.get(r), false);
        appendRows(csv, round, rows, true);
        AtomicFiles.write(out.resolve("metrics.csv"), o -> o.write(csv.toString().getBytes()));
    }

    private void appendRows(StringBuilder csv, int r, List<double[]> values, boolean timed) {
        for (int e = 0; e < values.size(); e++) {
            if (earlierRounds != null) csv.append(r).append(',');
            csv.append(e + 1);
            for (double v : values.get(e)) csv.append(Double.isNaN(v) ? "," : String.format(Locale.ROOT, ",%.6f", v));
            double[] t = timed ? timing.get(e) : null;
            csv.append(t == null ? ",,," : String.format(Locale.ROOT, ",%s,%.2f,%.2f", t[0], t[1], t[2])).append('\n');
        }
    }

    /** metrics.json: method, epochs, per-epoch history, final loss, and {@code extra} fields (e.g. the rounds). */
    public void finish(Map<String, Object> extra) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("epochs", rows.size());
        List<Map<String, Object>> history = new ArrayList<>();
        if (earlierRounds != null) for (int r = 0; r < earlierRounds.size(); r++) history.addAll(history(r, earlierRounds.get(r)));
        history.addAll(history(round, rows));
        m.put("history", history);
        if (!rows.isEmpty()) m.put("final_loss", rows.get(rows.size() - 1)[0]);
        m.putAll(extra);
        JsonFiles.write(out.resolve("metrics.json"), m);
    }

    public void finish() throws IOException { finish(Map.of()); }

    private List<Map<String, Object>> history(int r, List<double[]> values) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int e = 0; e < values.size(); e++) {
            Map<String, Object> row = new LinkedHashMap<>();
            if (earlierRounds != null) row.put("round", r);
            row.put("epoch", e + 1);
            for (int c = 0; c < columns.size(); c++) {
                double v = values.get(e)[c];
                row.put(columns.get(c), Double.isNaN(v) ? null : v);
            }
            out.add(row);
        }
        return out;
    }
}
