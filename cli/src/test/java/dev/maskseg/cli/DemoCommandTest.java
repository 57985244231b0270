package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny demo end to end, its output captured as in a log (not a terminal): every stage runs, every step reports its
 * progress in plain lines, the outputs of docs/design.md §4 are there, and the model it writes segments real photos
 * ({@code predict}) and is accepted by {@code eval}.
 */
class DemoCommandTest {
    /** The tasks each method's demo must report (in a log: at least the line that ends each). */
    private static final List<String> COMMON = List.of("generate scenes", "mine-masks mbplus", "train", "features", "linear probe", "probe predictions",
            "BatchNorm statistics");
    private static final Pattern END = Pattern.compile("^(.+): (?:done, \\d+ .* in|stopped at .* after) (\\d+\\.\\d) s|^(.+): (?:done, \\d+ .* in|stopped at .* after) (\\d+):(\\d\\d)");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"maskcontrast", "maskdistill"})
    void tinyDemoReportsProgressWritesReportAndAModelForPredictAndEval(String method) throws Exception {
        Path out = tmp.resolve("demo");
        Console c = method.equals("maskdistill")
                ? Console.run("demo", "--method", method, "--out", out.toString(), "--images", "24", "--size", "48", "--epochs", "1",
                "--set", "maskrcnn.max_iter=3", "--set", "maskrcnn.batch=2")
                : Console.run("demo", "--method", method, "--out", out.toString(), "--images", "24", "--size", "48", "--epochs", "1");
        assertEquals(0, c.code(), c.err());
        assertProgressLines(c, method);

        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        for (String k : new String[]{"kmeans_miou", "linear_miou", "baseline_kmeans_miou", "baseline_linear_miou"}) {
            double v = m.get(k).asDouble(-1);
            assertTrue(v >= 0 && v <= 1, k + " = " + v);
        }
        assertTrue(m.get("seconds").asDouble() > 0);
        assertEquals(method, m.get("method").asText());
        if (method.equals("maskdistill")) {
            for (String k : new String[]{"prior_mask_ap50", "detector_mask_ap50"}) {
                double v = m.get(k).asDouble(-2);
                assertTrue(v >= -1 && v <= 1, k + " = " + v);
            }
            assertTrue(m.get("prior_mask_ap50").asDouble() > 0, "the prior's masks find some val objects");
            for (String f : new String[]{"detector/model.safetensors", "detector/val_gt.json", "detector/val_detections.json", "detector/val_prior.json"}) {
                assertTrue(Files.size(out.resolve(f)) > 0, f);
            }
        }
        String html = Files.readString(out.resolve("report.html"));
        for (String part : new String[]{"report/loss.png", "<th>ground truth</th>", "<th>prior mask (mbplus)</th>", "<th>linear probe</th>", "Colours",
                "triangle", "Worst and best images", "Configuration", "Timings", "train", method.equals("maskdistill") ? "MaskDistill" : "MaskContrast"}) {
            assertTrue(html.contains(part), "report has " + part);
        }
        for (String f : new String[]{"report/loss.png", "checkpoint.safetensors", "model.safetensors", "masks/masks.json", "dataset/ImageSets/Segmentation/val.txt"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertTrue(c.out().contains("maskseg predict --model " + out.resolve("model.safetensors")), "the demo tells the user how to use its model");

        Path photos = Path.of(DemoCommandTest.class.getResource("/photos").toURI()), pred = tmp.resolve("pred");
        Console p = Console.run("predict", "--model", out.resolve("model.safetensors").toString(), "--images", photos.toString(), "--out", pred.toString());
        assertEquals(0, p.code(), p.err());
        for (String stem : List.of("astronaut", "chelsea", "coffee")) {
            BufferedImage photo = ImageIO.read(photos.resolve(stem + ".jpg").toFile()), overlay = ImageIO.read(pred.resolve("overlay/" + stem + ".png").toFile());
            assertEquals(photo.getWidth(), overlay.getWidth(), stem);
            assertEquals(photo.getHeight(), overlay.getHeight(), stem);
            assertTrue(Files.size(pred.resolve(stem + ".png")) > 0, stem + " labels");
        }

        Path json = tmp.resolve("eval.json");
        Console e = method.equals("maskcontrast")
                ? Console.run("eval", "kmeans", "--model", out.resolve("model.safetensors").toString(), "--data", out.resolve("dataset").toString(),
                "--num-classes", "5", "--json", json.toString())
                : evalMaskDistill(out, json);
        assertEquals(0, e.code(), e.err());
        assertTrue(new ObjectMapper().readTree(json.toFile()).get("miou").asDouble(-1) >= 0);
        if (method.equals("maskcontrast")) {
            Path withProbe = tmp.resolve("pred-probe");
            assertEquals(0, Console.run("predict", "--model", out.resolve("model.safetensors").toString(), "--probe", out.resolve("probe.safetensors").toString(),
                    "--images", photos.toString(), "--out", withProbe.toString()).code());
            assertTrue(Files.exists(withProbe.resolve("overlay/coffee.png")));
        }
    }

    private Console evalMaskDistill(Path out, Path json) {
        Path labels = tmp.resolve("val-labels");
        Console p = Console.run("predict", "--model", out.resolve("model.safetensors").toString(), "--images", out.resolve("dataset/JPEGImages").toString(),
                "--out", labels.toString());
        assertEquals(0, p.code(), p.err());
        return Console.run("eval", "miou", "--pred", labels.toString(), "--gt", out.resolve("dataset/SegmentationClass").toString(), "--num-classes", "5",
                "--json", json.toString());
    }

    /**
     * In a log every demo task ends with a "done" line, no line carries a carriage return, and every task that ran 2 s
     * or more also printed a line while it ran (so no long step is silent); the training prints one line per epoch
     * with its fields separated.
     */
    private static void assertProgressLines(Console c, String method) {
        assertFalse(c.err().contains("\r") || c.out().contains("\r"), "no carriage returns in a log");
        List<String> lines = c.err().lines().toList();
        List<String> expected = new ArrayList<>(COMMON);
        expected.addAll(method.equals("maskcontrast") ? List.of("prototypes", "k-means") : List.of("mask features (ViT)", "predict"));
        for (String task : expected) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(task + ": done, ")), "a progress line ends task '" + task + "':\n" + c.err());
        }
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = END.matcher(lines.get(i));
            if (!m.find()) continue;
            String task = m.group(1) != null ? m.group(1) : m.group(3);
            double seconds = m.group(2) != null ? Double.parseDouble(m.group(2)) : Integer.parseInt(m.group(4)) * 60 + Integer.parseInt(m.group(5));
            if (seconds < 2) continue;
            boolean reported = false;
            for (int j = i - 1; j >= 0 && !END.matcher(lines.get(j)).find(); j--) reported |= lines.get(j).startsWith(task + ": ");
            assertTrue(reported, "task '" + task + "' ran " + seconds + " s with no line while it ran:\n" + c.err());
        }
        assertTrue(c.out().contains("train: epoch 1/1 | loss "), c.out());
        assertTrue(Pattern.compile("train: epoch 1/1 \\| loss \\d+\\.\\d{4} \\| (.* \\| )?lr \\S+ \\| \\d+\\.\\d s \\| \\d+\\.\\d images/s").matcher(c.out()).find(), c.out());
        assertFalse(Pattern.compile("(^|\\s)\\.\\d+ \\S+/s").matcher(c.err()).find(), "a speed lost its leading digit:\n" + c.err());
    }

    /** {@code demo --method maskdistill --crf-rounds 1}: the round's mIoU in metrics.json and in the report. */
    @Test
    void maskDistillDemoRunsOneCrfRound() throws Exception {
        Path out = tmp.resolve("crf");
        Console c = Console.run("demo", "--method", "maskdistill", "--crf-rounds", "1", "--out", out.toString(), "--images", "24", "--size", "48", "--epochs", "1",
                "--set", "maskdistill.detector=prior");   // the rounds follow the pseudo maps whatever made them; the detector has its own test
        assertEquals(0, c.code(), c.err());
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        JsonNode rounds = m.get("crf_rounds");
        assertEquals(2, rounds.size(), "round 0 (pseudo maps) and round 1");
        assertEquals(m.get("kmeans_miou").asDouble(), rounds.get(0).get("miou").asDouble(), 1e-12, "round 0 is the demo's network");
        JsonNode one = rounds.get(1);
        for (String k : new String[]{"train_labels_miou", "miou", "miou_crf"}) {
            double v = one.get(k).asDouble(-1);
            assertTrue(v >= 0 && v <= 1, k + " = " + v);
        }
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("CRF self-training rounds") && html.contains(String.format("%.3f", one.get("miou").asDouble())), "the report shows the round's mIoU");
        assertEquals(2, Console.run("demo", "--method", "maskcontrast", "--crf-rounds", "1", "--out", tmp.resolve("x").toString()).code(), "a usage error");
    }
}
