package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tiny demo end to end: every stage runs and the outputs of docs/design.md §4 are there. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"maskcontrast", "maskdistill"})
    void tinyDemoWritesReportAndMetrics(String method) throws Exception {
        Path out = tmp.resolve("demo");
        Console c = method.equals("maskdistill")
                ? Console.run("demo", "--method", method, "--out", out.toString(), "--images", "24", "--size", "48", "--epochs", "1",
                "--set", "maskrcnn.max_iter=3", "--set", "maskrcnn.batch=2")
                : Console.run("demo", "--method", method, "--out", out.toString(), "--images", "24", "--size", "48", "--epochs", "1");
        assertEquals(0, c.code(), c.err());
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
        assertTrue(html.contains("loss.png") && html.contains("grid.png") && html.contains("triangle"), "report references its parts");
        assertTrue(html.contains(method.equals("maskdistill") ? "MaskDistill" : "MaskContrast"), "report names the method");
        for (String f : new String[]{"loss.png", "grid.png", "checkpoint.safetensors", "masks/masks.json", "dataset/ImageSets/Segmentation/val.txt"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
    }

    /** {@code demo --method maskdistill --crf-rounds 1}: the round's mIoU in metrics.json and in the report. */
    @Test
    void maskDistillDemoRunsOneCrfRound() throws Exception {
        Path out = tmp.resolve("crf");
        Console c = Console.run("demo", "--method", "maskdistill", "--crf-rounds", "1", "--out", out.toString(), "--images", "24", "--size", "48", "--epochs", "1");
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
