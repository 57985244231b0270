package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.zoo.resnet.ResNet;
import dev.maskseg.zoo.weights.FormulaWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * maskrcnn_r50_c4 weights by detectron2's names from .pkl files (plain names, and MoCo-style backbone-relative names
 * under matching heuristics), and a torchvision/MoCo ResNet-50 as the backbone's initialisation: the backbone then
 * computes exactly torchvision's layer3 (eval-mode BN = FrozenBN, stride on the 3x3 conv).
 */
class MaskRcnnWeightsTest {
    @TempDir
    Path dir;

    private static MaskRcnnC4 source(boolean stride, long seed) {
        MaskRcnnC4 m = new MaskRcnnC4(new MaskRcnnConfig(2, stride, false), new Generator(seed));
        FormulaWeights.fill(m, "seed" + seed + ".");   // distinct values everywhere, FrozenBN statistics included
        return m;
    }

    private static void assertSameValues(Map<String, Tensor> expected, Map<String, Tensor> actual, String what) {
        for (var e : expected.entrySet()) {
            assertNotNull(actual.get(e.getKey()), what + ": " + e.getKey());
            assertArrayEquals(e.getValue().toFloatArray(), actual.get(e.getKey()).toFloatArray(), what + ": " + e.getKey());
        }
    }

    @Test
    void loadsADetectron2PickleByItsNames() throws Exception {
        MaskRcnnC4 src = source(true, 1);
        Path pkl = dir.resolve("model_final.pkl");
        NumpyPickleWriter.write(pkl, src.stateDict(), "Detectron2 Model Zoo", false);
        MaskRcnnC4 loaded = MaskRcnnWeights.load(pkl, Map.of());
        assertEquals(2, loaded.numClasses());
        assertTrue(loaded.config.strideInOneByOne(), "detectron2's default");
        assertFalse(loaded.isTraining());
        assertSameValues(src.stateDict(), loaded.stateDict(), "pkl");
        assertFalse(MaskRcnnWeights.load(pkl, Map.of(MaskRcnnWeights.STRIDE_IN_1X1, "false")).config.strideInOneByOne());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> MaskRcnnWeights.load(pkl, Map.of(MaskRcnnWeights.STRIDE_IN_1X1, "sometimes")));
        assertTrue(bad.getMessage().contains("stride_in_1x1"), bad.getMessage());
    }

    @Test
    void backboneOnlyPickleWithMatchingHeuristicsInitialisesTheBackbone() throws Exception {
        MaskRcnnC4 src = source(false, 2);
        Map<String, Tensor> backboneRelative = new LinkedHashMap<>();
        src.stateDict().forEach((k, v) -> {
            if (k.startsWith("backbone.")) backboneRelative.put(k.substring("backbone.".length()), v);
            else if (k.startsWith("roi_heads.res5.")) backboneRelative.put(k.substring("roi_heads.".length()), v);
        });
        Path pkl = dir.resolve("moco_detectron2.pkl");
        NumpyPickleWriter.write(pkl, backboneRelative, "MOCO", true);
        IOException e = assertThrows(IOException.class, () -> MaskRcnnWeights.load(pkl, Map.of()));
        assertTrue(e.getMessage().contains("only backbone weights"), e.getMessage());
        MaskRcnnC4 fresh = new MaskRcnnC4(new MaskRcnnConfig(2, false, false), new Generator(9));
        Map<String, Tensor> headsBefore = new LinkedHashMap<>();
        fresh.stateDict().forEach((k, v) -> {
            if (!k.startsWith("backbone.") && !k.startsWith("roi_heads.res5.")) headsBefore.put(k, v.clone());
        });
        int n = MaskRcnnWeights.initBackbone(fresh, pkl);
        assertEquals(backboneRelative.size(), n);
        Map<String, Tensor> expected = new LinkedHashMap<>();
        src.stateDict().forEach((k, v) -> {
            if (k.startsWith("backbone.") || k.startsWith("roi_heads.res5.")) expected.put(k, v);
        });
        assertSameValues(expected, fresh.stateDict(), "backbone");
        assertSameValues(headsBefore, fresh.stateDict(), "heads keep their initialisation");
    }

    @Test
    void torchvisionResNetInitialisesABackboneThatComputesItsLayer3() throws Exception {
        ResNet tv = new ResNet(false, false, 1000, new Generator(4));
        FormulaWeights.fill(tv, "tv.");
        tv.eval();
        Map<String, Tensor> moco = new LinkedHashMap<>();
        tv.stateDict().forEach((k, v) -> moco.put("module.encoder_q." + k, v));
        Path st = dir.resolve("moco_v2.safetensors");
        SafeTensors.write(st, moco, Map.of());
        MaskRcnnC4 det = new MaskRcnnC4(new MaskRcnnConfig(3, false, false), new Generator(5));
        int n = MaskRcnnWeights.initBackbone(det, st);
        long expected = tv.stateDict().keySet().stream().filter(k -> !k.startsWith("fc.") && !k.endsWith("num_batches_tracked")).count();
        assertEquals(expected, n);
        assertArrayEquals(tv.layer4.get(0).stateDict().get("downsample.1.running_var").toFloatArray(),
                det.stateDict().get("roi_heads.res5.0.shortcut.norm.running_var").toFloatArray());
        Tensor x = FormulaWeights.input("tv.input", 1, 3, 45, 61);
        try (var ng = GradMode.noGrad()) {
            Tensor want = tv.features(x).layer3(), got = det.features(x);
            assertArrayEquals(want.shape(), got.shape());
            float[] a = want.toFloatArray(), b = got.toFloatArray();
            double max = 0, err = 0;
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs(a[i]));
                err = Math.max(err, Math.abs(a[i] - b[i]));
            }
            assertTrue(err <= 1e-4 * max, "res4 vs torchvision layer3: max error " + err + " (max " + max + ")");
        }
    }
}
