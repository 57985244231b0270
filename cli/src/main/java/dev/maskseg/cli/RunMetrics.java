package dev.maskseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer.EpochLoss;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's per-epoch metrics: OUT/metrics.csv rewritten atomically after every epoch (so it always matches the
 * checkpoint, resumed runs included) and OUT/metrics.json at the end.
 */
final class RunMetrics {
    private final Path out;
    private final String method;
    private final List<EpochLoss> epochs;
    private final Map<Integer, double[]> timing = new HashMap<>();

    RunMetrics(Path out, String method, List<EpochLoss> restored) {
        this.out = out;
        this.method = method;
        this.epochs = new ArrayList<>(restored);
    }

    void epochEnd(EpochLoss e, double lr, double seconds, int images) {
        epochs.add(e);
        timing.put(e.epoch(), new double[]{lr, seconds, images / Math.max(seconds, 1e-9)});
        StringBuilder csv = new StringBuilder("epoch,loss,contrastive,saliency,lr,seconds,images_per_second\n");
        for (EpochLoss x : epochs) {
            double[] t = timing.get(x.epoch());
            csv.append(String.format(java.util.Locale.ROOT, "%d,%.6f,%.6f,%.6f,%s,%s,%s%n", x.epoch() + 1, x.loss(), x.contrastive(), x.saliency(),
                    t == null ? "" : Double.toString(t[0]), t == null ? "" : String.format(java.util.Locale.ROOT, "%.2f", t[1]),
                    t == null ? "" : String.format(java.util.Locale.ROOT, "%.2f", t[2])));
        }
        try {
            AtomicFiles.write(out.resolve("metrics.csv"), o -> o.write(csv.toString().getBytes()));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    void finish() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("epochs", epochs.size());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EpochLoss x : epochs) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("epoch", x.epoch() + 1);
            r.put("loss", x.loss());
            r.put("contrastive", x.contrastive());
            r.put("saliency", x.saliency());
            rows.add(r);
        }
        m.put("history", rows);
        if (!epochs.isEmpty()) m.put("final_loss", epochs.get(epochs.size() - 1).loss());
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(m);
        AtomicFiles.write(out.resolve("metrics.json"), o -> o.write(json));
    }
}
