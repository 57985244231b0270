package dev.maskseg.cli;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.zoo.maskrcnn.MaskRcnnC4;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig;
import dev.maskseg.zoo.maskrcnn.MaskRcnnOutputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code maskseg forward --model maskrcnn_r50_c4} (docs/design.md §4b) with a detectron2 trainer checkpoint (.pth,
 * state dict under "model" with a "module." prefix) and with safetensors plus {@code --set stride_in_1x1=false}: every
 * contract output, with its dtype, equals the in-process model's. The weights make one RPN proposal (every anchor
 * decodes to the whole image) and one confident detection, so the end-to-end path stays cheap.
 */
class ForwardMaskRcnnCommandTest {
    @TempDir
    Path dir;

    private static MaskRcnnC4 model() {
        MaskRcnnC4 m = new MaskRcnnC4(new MaskRcnnConfig(3, false, false), new Generator(11));
        try (var ng = GradMode.noGrad()) {
            var rpn = m.proposalGenerator.rpnHead;
            rpn.objectnessLogits.weight.fill_(0);
            rpn.anchorDeltas.weight.fill_(0);
            float[] bias = new float[60];
            for (int a = 0; a < 15; a++) bias[4 * a + 2] = bias[4 * a + 3] = 4f;
            rpn.anchorDeltas.bias.copy_(Tensor.of(bias, 60));
            var box = m.roiHeads.boxPredictor;
            box.clsScore.weight.fill_(0);
            box.clsScore.bias.copy_(Tensor.of(new float[]{5, 0, 0, 0}, 4));
            box.bboxPred.weight.fill_(0);
        }
        m.eval();
        return m;
    }

    @Test
    void forwardWritesTheContractForPthAndSafetensors() throws Exception {
        MaskRcnnC4 m = model();
        Tensor x = Tensor.randn(new Generator(3), 1, 3, 40, 56);
        Tensor proposals = Tensor.of(new float[]{2, 3, 30, 20, -5, 10, 20, 50, 10.5f, 11, 13.7f, 12.9f}, 3, 4);
        Map<String, Tensor> expected;
        try (var ng = GradMode.noGrad()) {
            expected = MaskRcnnOutputs.forward(m, Map.of("input", x, "proposals", proposals));
        }
        assertEquals(List.of("res4", "rpn_objectness", "rpn_deltas", "box_logits", "box_deltas", "mask_logits", "boxes", "scores", "classes", "masks"),
                List.copyOf(expected.keySet()));
        assertEquals(1, expected.get("boxes").size(0), "one detection");
        assertArrayEquals(new int[]{1, 40, 56}, expected.get("masks").shape());
        Path input = dir.resolve("in.safetensors"), st = dir.resolve("model.safetensors"), pth = dir.resolve("model_final.pth");
        SafeTensors.write(input, Map.of("input", x, "proposals", proposals), Map.of());
        SafeTensors.write(st, m.stateDict(), Map.of());
        Map<String, Object> state = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> state.put("module." + k, v));
        PthWriter.write(pth, Map.of("model", state));
        String[][] runs = {{"--weights", pth.toString(), "--set", "stride_in_1x1=false"}, {"--weights", st.toString(), "--set", "stride_in_1x1=false"}};
        for (String[] extra : runs) {
            Path out = dir.resolve("out.safetensors");
            java.nio.file.Files.deleteIfExists(out);
            String[] args = concat(new String[]{"forward", "--model", "maskrcnn_r50_c4", "--input", input.toString(), "--out", out.toString()}, extra);
            assertEquals(0, Main.run(args), String.join(" ", extra));
            Map<String, Tensor> got = SafeTensors.read(out);
            assertEquals(expected.keySet(), got.keySet());
            for (var e : expected.entrySet()) {
                Tensor a = e.getValue(), b = got.get(e.getKey());
                assertArrayEquals(a.shape(), b.shape(), e.getKey());
                assertEquals(a.dtype(), b.dtype(), e.getKey());
                double[] av = a.toDoubleArray(), bv = b.toDoubleArray();
                for (int i = 0; i < av.length; i++) assertEquals(av[i], bv[i], 1e-5 * (1 + Math.abs(av[i])), e.getKey() + "[" + i + "]");
            }
        }
        assertEquals(DType.INT64, expected.get("classes").dtype());
        assertEquals(DType.UINT8, expected.get("masks").dtype());
        // the stride is not in the weights: without the setting, detectron2's default (stride in the 1x1) changes res4
        Path out = dir.resolve("default.safetensors");
        assertEquals(0, Main.run("forward", "--model", "maskrcnn_r50_c4", "--weights", st.toString(), "--input", input.toString(), "--out", out.toString()));
        assertFalse(java.util.Arrays.equals(expected.get("res4").toFloatArray(), SafeTensors.read(out).get("res4").toFloatArray()));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
