package dev.maskseg.zoo.maskrcnn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.ProposalParams;
import dev.maskseg.zoo.weights.FormulaWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * maskrcnn_r50_c4 against the plain-PyTorch reference of detectron2's R50-C4 (tools/maskrcnn_reference.py, fixtures of
 * tools/gen_detection_fixtures.py): FormulaWeights on detectron2's names plus the fixture's head overrides. Tensors
 * within the fixture's tolerances (relative to the output's largest magnitude); the RPN proposals as a set of anchors
 * (near-tied logits may reorder); end to end on the smaller case: boxes, scores, classes, each detection's proposal,
 * masks wherever the reference marks them certain.
 */
class MaskRcnnParityTest {
    private static Map<String, Tensor> golden;
    private static Map<String, JsonNode> cases = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws Exception {
        Path dir = Path.of(MaskRcnnParityTest.class.getResource("/fixtures/maskrcnn/maskrcnn.json").toURI()).getParent();
        golden = SafeTensors.read(dir.resolve("maskrcnn.safetensors"));
        for (JsonNode c : new ObjectMapper().readTree(dir.resolve("maskrcnn.json").toFile()).get("cases")) {
            if (c.path("model").asText().equals("maskrcnn_r50_c4")) cases.put(c.get("id").asText(), c);
        }
        assertEquals(Set.of("c4_84x116_moco", "c4_128x160"), cases.keySet());
    }

    private static Tensor g(String id, String name) {
        Tensor t = golden.get(id + "." + name);
        assertNotNull(t, "fixture tensor " + id + "." + name);
        return t;
    }

    static MaskRcnnC4 model(String id) {
        JsonNode c = cases.get(id);
        MaskRcnnC4 m = new MaskRcnnC4(new MaskRcnnConfig(c.get("num_classes").asInt(), c.get("stride_in_1x1").asBoolean(), false), new Generator(1));
        FormulaWeights.fill(m, "");
        try (var ng = GradMode.noGrad()) {
            for (JsonNode o : c.get("overrides")) m.stateDict().get(o.asText()).copy_(g(id, "override." + o.asText()));
        }
        m.eval();
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"c4_84x116_moco", "c4_128x160"})
    void stateDictHasDetectron2NamesAndShapes(String id) {
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (JsonNode e : cases.get(id).get("state_dict")) {
            expected.put(e.get(0).asText(), new ObjectMapper().convertValue(e.get(1), int[].class));
        }
        Map<String, Tensor> mine = model(id).stateDict();
        assertEquals(279, expected.size());
        assertEquals(expected.keySet(), mine.keySet());
        expected.forEach((k, s) -> assertArrayEquals(s, mine.get(k).shape(), k));
    }

    @ParameterizedTest
    @ValueSource(strings = {"c4_84x116_moco", "c4_128x160"})
    void backboneRpnAndHeadsOnGivenProposalsMatch(String id) {
        MaskRcnnC4 m = model(id);
        Tensor x = g(id, "input");
        List<String> failures = new ArrayList<>();
        try (var ng = GradMode.noGrad()) {
            Tensor res4 = m.features(x);
            RpnHead.Outputs rpn = m.rpn(res4);
            check(failures, id, "res4", res4, 1e-3);
            check(failures, id, "rpn_objectness", rpn.objectness().select(0, 0), 1e-3);
            check(failures, id, "rpn_deltas", rpn.deltas().select(0, 0), 1e-3);
            check(failures, id, "debug.anchors", MaskRcnnC4.anchors(rpn.height(), rpn.width()), 1e-7);
            MaskRcnnC4.HeadOutputs h = m.heads(res4, 0, g(id, "proposals"), true);
            check(failures, id, "box_logits", h.logits(), 1e-3);
            check(failures, id, "box_deltas", h.deltas(), 1e-3);
            check(failures, id, "mask_logits", h.maskLogits(), 1e-3);
            RpnProposals.Proposals p = m.proposals(rpn, 0, x.size(2), x.size(3), ProposalParams.TEST);
            compareProposals(failures, id, p);
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    /** The proposals as a set of anchors; on the common ones, boxes within 1e-3 px and logits within 1e-3 relative. */
    private static void compareProposals(List<String> failures, String id, RpnProposals.Proposals p) {
        long[] ref = g(id, "debug.rpn_proposal_anchor").toLongArray();
        float[] refBoxes = g(id, "debug.rpn_proposals").toFloatArray(), refLogits = g(id, "debug.rpn_proposal_logits").toFloatArray();
        Map<Long, Integer> refAt = new LinkedHashMap<>();
        for (int i = 0; i < ref.length; i++) refAt.put(ref[i], i);
        Set<Long> mine = new HashSet<>();
        for (long a : p.anchorIndex()) mine.add(a);
        Set<Long> onlyRef = new HashSet<>(refAt.keySet()), onlyMine = new HashSet<>(mine);
        onlyRef.removeAll(mine);
        onlyMine.removeAll(refAt.keySet());
        int allowed = 2 * cases.get(id).get("rpn_proposals_changed_under_noise").asInt();
        System.out.printf("%s rpn proposals: %d (reference %d), %d only in reference, %d only here (allowed %d)%n", id,
                p.size(), ref.length, onlyRef.size(), onlyMine.size(), allowed);
        if (onlyRef.size() + onlyMine.size() > allowed) failures.add(id + ": RPN proposal sets differ: " + onlyRef + " vs " + onlyMine);
        float[] b = p.boxes().toFloatArray(), l = p.logits().toFloatArray();
        double worstBox = 0, worstLogit = 0, maxLogit = 1e-6;
        for (float v : refLogits) maxLogit = Math.max(maxLogit, Math.abs(v));
        for (int i = 0; i < p.size(); i++) {
            Integer j = refAt.get(p.anchorIndex()[i]);
            if (j == null) continue;
            for (int c = 0; c < 4; c++) worstBox = Math.max(worstBox, Math.abs(b[4 * i + c] - refBoxes[4 * j + c]));
            worstLogit = Math.max(worstLogit, Math.abs(l[i] - refLogits[j]));
        }
        System.out.printf("%s rpn proposals: max box error %.3g px, max logit error %.3g (max |logit| %.3g)%n", id, worstBox, worstLogit, maxLogit);
        if (worstBox > 1e-3 * 100) failures.add(id + ": proposal boxes differ by " + worstBox + " px");
        if (worstLogit > 1e-3 * maxLogit) failures.add(id + ": proposal logits differ by " + worstLogit);
    }

    @Test
    void endToEndDetectionsMatchOnTheSmallerCase() {
        String id = "c4_84x116_moco";
        MaskRcnnC4 m = model(id);
        Tensor x = g(id, "input");
        MaskRcnnC4.Inference inf = m.infer(x, x.size(2), x.size(3), ProposalParams.TEST, MaskRcnnConfig.DetectionParams.TEST);
        BoxInference.Instances out = inf.instances();
        List<String> failures = new ArrayList<>();
        assertArrayEquals(g(id, "classes").toLongArray(), out.classes().toLongArray(), "classes");
        long[] anchorOfDetection = new long[inf.detections().size()];
        for (int i = 0; i < anchorOfDetection.length; i++) anchorOfDetection[i] = inf.proposals().anchorIndex()[(int) inf.detections().proposalIndex()[i]];
        assertArrayEquals(g(id, "debug.detection_anchor").toLongArray(), anchorOfDetection, "the RPN proposal (anchor) of each detection");
        checkAbs(failures, id, "boxes", out.boxes(), 0.05);
        checkAbs(failures, id, "scores", out.scores(), 1e-4);
        checkAbs(failures, id, "debug.mask_probs", inf.maskProbs(), 1e-3);
        byte[] mine = masks(out.masks()), ref = masks(g(id, "masks")), uncertain = masks(g(id, "debug.mask_uncertain"));
        assertArrayEquals(g(id, "masks").shape(), out.masks().shape(), "masks shape");
        int differing = 0, certain = 0;
        for (int i = 0; i < ref.length; i++) {
            if (uncertain[i] != 0) continue;
            certain++;
            if (mine[i] != ref[i]) differing++;
        }
        System.out.printf("%s masks: %d of %d certain pixels differ%n", id, differing, certain);
        if (differing > 0) failures.add(id + ": " + differing + " certain mask pixels differ");
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    private static byte[] masks(Tensor t) {
        long[] v = t.toLongArray();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    /** Within tol times the reference's largest magnitude. */
    private static void check(List<String> failures, String id, String name, Tensor mine, double tol) {
        Tensor ref = g(id, name);
        double maxRef = 0;
        for (double v : ref.toDoubleArray()) maxRef = Math.max(maxRef, Math.abs(v));
        compare(failures, id, name, mine, ref, tol * maxRef);
    }

    private static void checkAbs(List<String> failures, String id, String name, Tensor mine, double tol) {
        compare(failures, id, name, mine, g(id, name), tol);
    }

    private static void compare(List<String> failures, String id, String name, Tensor mine, Tensor ref, double limit) {
        if (!java.util.Arrays.equals(mine.shape(), ref.shape())) {
            failures.add(id + "." + name + ": shape " + mine.shapeString() + " vs " + ref.shapeString());
            return;
        }
        double[] a = mine.toDoubleArray(), b = ref.toDoubleArray();
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        System.out.printf("%s.%s: max abs error %.3g (limit %.3g)%n", id, name, worst, limit);
        if (!(worst <= limit)) failures.add(id + "." + name + ": max abs error " + worst + " > " + limit);
    }
}
