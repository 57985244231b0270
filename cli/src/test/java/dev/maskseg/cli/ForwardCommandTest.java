package dev.maskseg.cli;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.zoo.Models;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code maskseg forward} for every model name, with safetensors weights and with a .pth laid out as the
 * official checkpoints (DINO teacher/student, timm head, old torchvision without num_batches_tracked,
 * torchvision aux classifier, MaskContrast query/key encoders and queue): same outputs as the source model.
 */
class ForwardCommandTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"vit_small_patch16", "vit_small_patch8", "vit_base_patch16", "resnet50", "deeplabv3_resnet50", "maskcontrast_resnet50"})
    void forwardMatchesTheModelForBothFormats(String model) throws Exception {
        Models.Loaded source = Models.create(model, 7);
        Map<String, Tensor> state = source.module().stateDict();
        Tensor x = Tensor.randn(new dev.maskseg.engine.Generator(3), 1, 3, 32, 48);
        Map<String, Tensor> expected;
        try (var ng = GradMode.noGrad()) {
            expected = source.forward(x);
        }
        Path input = dir.resolve("input.safetensors"), st = dir.resolve("w.safetensors"), pth = dir.resolve("w.pth");
        SafeTensors.write(input, Map.of("input", x), Map.of());
        SafeTensors.write(st, state, Map.of());
        PthWriter.write(pth, officialLayout(model, state));
        for (Path w : new Path[]{st, pth}) {
            Path out = dir.resolve("out-" + w.getFileName() + ".safetensors");
            int rc = Main.run("forward", "--model", model, "--weights", w.toString(), "--input", input.toString(), "--out", out.toString());
            assertEquals(0, rc, "exit code for " + w.getFileName());
            Map<String, Tensor> got = SafeTensors.read(out);
            assertEquals(expected.keySet(), got.keySet());
            for (var e : expected.entrySet()) {
                assertArrayEquals(e.getValue().shape(), got.get(e.getKey()).shape(), e.getKey());
                float[] a = e.getValue().toFloatArray(), b = got.get(e.getKey()).toFloatArray();
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5f * (1 + Math.abs(a[i])), e.getKey() + "[" + i + "]");
            }
        }
    }

    /** The checkpoint shapes users bring, by model. Only floating tensors (PthWriter writes float32). */
    private static Map<String, Object> officialLayout(String model, Map<String, Tensor> state) {
        Map<String, Object> flat = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            if (v.dtype().isFloating()) flat.put(k, v);
        });
        Map<String, Object> root = new LinkedHashMap<>();
        switch (model) {
            case "vit_small_patch16" -> {   // DINO full checkpoint: teacher/student with backbone./module. and a DINO head
                Map<String, Object> teacher = prefixed("backbone.", flat), student = prefixed("module.backbone.", flat);
                teacher.put("head.last_layer.weight_g", Tensor.ones(1, 1));
                root.put("student", student);
                root.put("teacher", teacher);
                root.put("epoch", 100L);
            }
            case "vit_base_patch16" -> {    // MaskDistill's timm copy: a Linear(768, 1000) head, dropped
                root.putAll(flat);
                root.put("head.weight", Tensor.zeros(1000, 768));
                root.put("head.bias", Tensor.zeros(1000));
            }
            case "deeplabv3_resnet50" -> {
                root.putAll(flat);
                root.put("aux_classifier.0.weight", Tensor.zeros(256, 1024, 3, 3));
                root.put("aux_classifier.4.weight", Tensor.zeros(21, 256, 1, 1));
            }
            case "maskcontrast_resnet50" -> {
                Map<String, Object> m = prefixed("module.model_q.", flat);
                m.putAll(prefixed("module.model_k.", flat));
                m.put("module.queue", Tensor.zeros(32, 16));
                root.put("model", m);
                root.put("epoch", 60L);
            }
            default -> root.putAll(flat);   // raw DINO backbone; old torchvision resnet (no num_batches_tracked)
        }
        return root;
    }

    private static Map<String, Object> prefixed(String prefix, Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }
}
