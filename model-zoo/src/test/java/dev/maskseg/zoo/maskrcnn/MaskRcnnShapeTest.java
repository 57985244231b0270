package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.engine.nn.Layers.BatchNorm2d;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A smaller detector shape (width, trained BN, anchors): its channels, its weights file round trip, and BN in frozen stages. */
class MaskRcnnShapeTest {
    @TempDir
    Path tmp;

    private static MaskRcnnConfig small() {
        return new MaskRcnnConfig(3, false, false, 8, MaskRcnnConfig.Norm.BN, new double[]{16, 32}, new double[]{1.0});
    }

    @Test
    void channelsAnchorsAndTheWeightsFileFollowTheShape() throws Exception {
        MaskRcnnC4 m = new MaskRcnnC4(small(), new Generator(3));
        assertTrue(new MaskRcnnConfig(3, true, false).isR50());
        assertFalse(small().isR50());
        assertEquals(128, small().res4Channels());
        assertArrayEquals(new int[]{8, 3, 7, 7}, m.stateDict().get("backbone.stem.conv1.weight").shape());
        assertArrayEquals(new int[]{256, 32, 2, 2}, m.stateDict().get("roi_heads.mask_head.deconv.weight").shape());
        assertTrue(m.stateDict().containsKey("backbone.res2.0.conv1.norm.num_batches_tracked"), "trained BN carries its counter");
        m.eval();
        Tensor x = Tensor.randn(new Generator(1), 1, 3, 64, 80);
        Map<String, Tensor> a;
        try (var ng = GradMode.noGrad()) {
            Tensor res4 = m.features(x);
            assertArrayEquals(new int[]{1, 128, 4, 5}, res4.shape());
            RpnHead.Outputs rpn = m.rpn(res4);
            assertArrayEquals(new int[]{1, 4 * 5 * 2}, rpn.objectness().shape());
            assertArrayEquals(new int[]{40, 4}, m.anchorGrid(4, 5).shape());
            assertArrayEquals(new float[]{-8, -8, 8, 8, -16, -16, 16, 16}, m.anchorGrid(1, 1).toFloatArray(), 1e-6f);
            a = Map.of("res4", res4, "objectness", rpn.objectness());
        }
        Path file = tmp.resolve("small.safetensors");
        SafeTensors.write(file, m.stateDict(), MaskRcnnWeights.shapeMetadata(m.config));
        MaskRcnnC4 back = MaskRcnnWeights.load(file, Map.of());
        assertEquals(small(), back.config);
        try (var ng = GradMode.noGrad()) {
            Tensor res4 = back.features(x);
            assertArrayEquals(a.get("res4").toFloatArray(), res4.toFloatArray());
            assertArrayEquals(a.get("objectness").toFloatArray(), back.rpn(res4).objectness().toFloatArray());
        }
    }

    @Test
    void trainedBnInAFrozenStageStaysInEvalMode() {
        MaskRcnnC4 m = new MaskRcnnC4(small(), new Generator(3));
        m.backbone.freezeAt(2);
        m.train(true);
        assertInstanceOf(BatchNorm2d.class, m.backbone.stem.conv1.norm);
        assertFalse(m.backbone.stem.conv1.norm.isTraining());
        assertFalse(m.backbone.res2.blocks.get(0).conv1.norm.isTraining());
        assertTrue(m.backbone.res3.blocks.get(0).conv1.norm.isTraining());
        assertTrue(m.roiHeads.res5.blocks.get(0).conv1.norm.isTraining());
        for (Tensor p : m.backbone.res2.parameters()) assertFalse(p.requiresGrad());
        for (Tensor p : m.backbone.res3.parameters()) assertTrue(p.requiresGrad());
        m.eval();
        assertFalse(m.backbone.res3.blocks.get(0).conv1.norm.isTraining());
    }
}
