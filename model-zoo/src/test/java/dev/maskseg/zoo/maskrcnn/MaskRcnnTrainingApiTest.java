package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.ops.RoiAlign;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pieces a trainer runs with gradients: backbone → RPN head outputs, region features of given boxes (RoIAlign →
 * res5) → box and mask heads. A loss over all of them reaches every trainable weight except the frozen stem and res2
 * (freeze_at 2), with finite gradients; FrozenBN holds buffers only, never parameters.
 */
class MaskRcnnTrainingApiTest {
    @Test
    void gradientsReachEveryTrainableWeight() {
        MaskRcnnC4 m = new MaskRcnnC4(new MaskRcnnConfig(2, false, false), new Generator(21));
        m.train(true);
        m.backbone.freezeAt(2);
        Tensor x = Tensor.randn(new Generator(22), 2, 3, 48, 64);
        Tensor res4 = m.features(x);
        RpnHead.Outputs rpn = m.rpn(res4);
        assertArrayEquals(new int[]{2, 3 * 4 * 15}, rpn.objectness().shape());
        assertArrayEquals(new int[]{2, 3 * 4 * 15, 4}, rpn.deltas().shape());
        Tensor rois = RoiAlign.rois(List.of(Tensor.of(new float[]{4, 4, 40, 30, 0, 0, 64, 48}, 2, 4),
                Tensor.of(new float[]{10, 12, 20, 30.5f}, 1, 4)));
        Tensor feats = m.regionFeatures(res4, rois);
        assertArrayEquals(new int[]{3, 2048, 7, 7}, feats.shape());
        var box = m.boxHead(feats);
        Tensor masks = m.maskLogits(feats);
        assertArrayEquals(new int[]{3, 3}, box.logits().shape());
        assertArrayEquals(new int[]{3, 8}, box.deltas().shape());
        assertArrayEquals(new int[]{3, 2, 14, 14}, masks.shape());
        Tensor loss = rpn.objectness().sum().add(rpn.deltas().sum()).add(box.logits().sum()).add(box.deltas().sum()).add(masks.sum());
        loss.backward();
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            String k = e.getKey();
            boolean frozen = k.startsWith("backbone.stem.") || k.startsWith("backbone.res2.");
            if (frozen) {
                assertFalse(e.getValue().requiresGrad(), k);
                assertNull(e.getValue().grad(), k);
                continue;
            }
            assertNotNull(e.getValue().grad(), "no gradient for " + k);
            for (float v : e.getValue().grad().toFloatArray()) assertTrue(Float.isFinite(v), k);
            assertFalse(k.contains(".norm."), "FrozenBN must hold no parameters: " + k);
        }
    }
}
