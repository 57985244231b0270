package dev.maskseg.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.engine.ops.Anchors;
import dev.maskseg.engine.ops.Boxes;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.engine.ops.MaskPaste;
import dev.maskseg.engine.ops.Matching;
import dev.maskseg.engine.ops.Nms;
import dev.maskseg.engine.ops.RoiAlign;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The detection ops against detectron2/torchvision semantics on the fixtures of tools/gen_detection_fixtures.py (a
 * plain-PyTorch reference cross-checked with torchvision's C ops): outputs and gradients within 1e-5 relative to
 * max(1, |expected|) (paste_masks' soft values 1e-5 absolute), integer outputs (NMS, matcher, masks) exactly. Runs on
 * the default backend, so each backend module that runs it checks its own kernels.
 */
class DetectionParityTest {
    private static final double TOL = 1e-5;

    @TestFactory
    List<DynamicTest> detectionOpsMatchReference() throws Exception {
        JsonNode manifest = new ObjectMapper().readTree(fixture("ops.json").toFile());
        Map<String, Tensor> fx = SafeTensors.read(fixture("ops.safetensors"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : manifest.get("cases")) {
            String name = c.get("name").asText();
            tests.add(dynamicTest(name, () -> check(name, c, fx)));
        }
        assertTrue(tests.size() >= 38, "fixture manifest has too few cases: " + tests.size());
        return tests;
    }

    private static Path fixture(String name) throws IOException {
        try (InputStream in = DetectionParityTest.class.getResourceAsStream("/fixtures/detection/" + name)) {
            assertNotNull(in, "fixture detection/" + name + " is not on the test class path");
            Path file = Files.createTempFile("maskseg-detection-", "-" + name);
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }

    private static double[] doubles(JsonNode n) {
        return StreamSupport.stream(n.spliterator(), false).mapToDouble(JsonNode::asDouble).toArray();
    }

    private static void check(String name, JsonNode c, Map<String, Tensor> fx) {
        JsonNode p = c.get("params");
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (JsonNode i : c.get("inputs")) {
            Tensor t = fx.get(name + "/" + i.asText()).clone();
            in.put(i.asText(), t.dtype().isFloating() && c.get("grads").size() > 0 ? t.requiresGrad(true) : t);
        }
        Map<String, Tensor> out = apply(c.get("op").asText(), p, in);
        for (JsonNode o : c.get("outputs")) {
            String k = o.asText();
            compare(name + " " + k, fx.get(name + "/" + k), out.get(k), k.equals("soft"));
        }
        if (c.get("grads").size() == 0) return;
        Tensor y = out.get(c.get("outputs").get(0).asText());
        Tensor w = c.has("grad_weight") ? fx.get(name + "/" + c.get("grad_weight").asText()) : null;
        (w == null ? y.sum() : y.mul(w).sum()).backward();
        for (JsonNode gname : c.get("grads")) {
            String input = gname.asText().substring("grad_".length());
            assertNotNull(in.get(input).grad(), name + ": no gradient for " + input);
            compare(name + " " + gname.asText(), fx.get(name + "/" + gname.asText()), in.get(input).grad(), false);
        }
    }

    private static Map<String, Tensor> apply(String op, JsonNode p, Map<String, Tensor> t) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        switch (op) {
            case "roi_align" -> out.put("out", RoiAlign.roiAlign(t.get("features"), t.get("rois"), p.get("output_size").get(0).asInt(),
                    p.get("output_size").get(1).asInt(), p.get("spatial_scale").asDouble(), p.get("sampling_ratio").asInt(),
                    p.get("aligned").asBoolean()));
            case "nms" -> out.put("keep", Nms.nms(t.get("boxes"), t.get("scores"), p.get("iou_threshold").asDouble()));
            case "batched_nms" -> out.put("keep", Nms.batchedNms(t.get("boxes"), t.get("scores"), t.get("groups"), p.get("iou_threshold").asDouble()));
            case "box_encode" -> out.put("deltas", Boxes.encode(t.get("src"), t.get("dst"), doubles(p.get("weights"))));
            case "box_decode" -> out.put("out", Boxes.decode(t.get("deltas"), t.get("boxes"), doubles(p.get("weights")), p.get("scale_clamp").asDouble()));
            case "anchors" -> out.put("anchors", Anchors.grid(p.get("height").asInt(), p.get("width").asInt(), p.get("stride").asDouble(),
                    doubles(p.get("sizes")), doubles(p.get("aspect_ratios")), p.get("offset").asDouble()));
            case "pairwise_iou" -> out.put("iou", Boxes.pairwiseIou(t.get("a"), t.get("b")));
            case "conv_transpose2d" -> out.put("out", Conv.convTranspose2d(t.get("x"), t.get("weight"), t.get("bias"),
                    p.get("stride").asInt(), p.get("padding").asInt(), p.get("output_padding").asInt(), 1, 1));
            case "smooth_l1" -> out.put("out", Losses.smoothL1(t.get("x"), t.get("target"), p.get("beta").asDouble(), reduction(p)));
            case "bce_with_logits" -> {
                Tensor y = Losses.bceWithLogits(t.get("x"), t.get("target"), null, reduction(p));
                out.put("out", y.dim() == 0 ? y.reshape(1) : y);
            }
            case "paste_masks" -> {
                int h = p.get("image_height").asInt(), w = p.get("image_width").asInt();
                out.put("masks", MaskPaste.paste(t.get("probs"), t.get("boxes"), h, w, p.get("threshold").asDouble()));
                out.put("soft", MaskPaste.pasteSoft(t.get("probs"), t.get("boxes"), h, w));
            }
            case "match" -> {
                JsonNode l = p.get("labels");
                int[] labels = StreamSupport.stream(l.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
                Matching.Result r = Matching.match(t.get("iou"), doubles(p.get("thresholds")), labels, p.get("allow_low_quality_matches").asBoolean());
                out.put("matches", r.matches());
                out.put("match_labels", r.labels());
            }
            default -> throw new IllegalArgumentException("fixture op not mapped: " + op);
        }
        return out;
    }

    private static Losses.Reduction reduction(JsonNode p) {
        return Losses.Reduction.valueOf(p.get("reduction").asText().toUpperCase());
    }

    private static void compare(String what, Tensor expected, Tensor actual, boolean absolute) {
        assertNotNull(expected, what + ": missing in the fixture");
        assertNotNull(actual, what + ": not computed");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        if (!expected.dtype().isFloating()) {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what + ": values");
            System.out.printf("%s: exact (%d values)%n", what, expected.numel());
            return;
        }
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(e[i] - a[i]), limit = TOL * (absolute ? 1 : Math.max(1, Math.abs(e[i])));
            assertTrue(err <= limit, what + " element " + i + ": expected " + e[i] + " got " + a[i]);
            worst = Math.max(worst, err);
        }
        System.out.printf("%s: max abs error %.3g over %d values%n", what, worst, e.length);
    }
}
