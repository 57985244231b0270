package dev.maskseg.zoo;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import dev.maskseg.zoo.vit.ViTConfig;
import dev.maskseg.zoo.vit.VisionTransformer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ModulesTest {
    @Test
    void emaCopiesThenMovesTowardTheSource() {
        Generator g = new Generator(1);
        LinearProbe a = new LinearProbe(4, 3, g), b = new LinearProbe(4, 3, g);
        Ema.copy(a, b);
        assertArrayEquals(a.conv.weight.toFloatArray(), b.conv.weight.toFloatArray());
        assertFalse(b.conv.weight.requiresGrad());
        try (var ng = GradMode.noGrad()) {
            a.conv.weight.copy_(a.conv.weight.add(1.0));
        }
        float before = b.conv.weight.toFloatArray()[0];
        Tensor expected = b.conv.weight.mul(0.9).add(a.conv.weight.detach().mul(1 - 0.9));   // MoCo's rounding, out of place
        Ema.update(a, b, 0.9);
        assertEquals(before + 0.1f, b.conv.weight.toFloatArray()[0], 1e-6f);
        assertArrayEquals(expected.toFloatArray(), b.conv.weight.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Ema.update(a, new LinearProbe(4, 5, g), 0.9));
    }

    @Test
    void linearProbeUpsamplesLogitsAndTrainsOnlyItself() {
        LinearProbe p = new LinearProbe(8, 21, new Generator(2));
        assertEquals(List.of("weight", "bias"), List.copyOf(p.namedParameters().keySet()));
        Tensor out = p.forward(Tensor.randn(new Generator(3), 2, 8, 5, 5), 40, 40);
        assertArrayEquals(new int[]{2, 21, 40, 40}, out.shape());
    }

    @Test
    void vitCapturesRequestedBlocksAndRejectsBadSizes() {
        VisionTransformer vit = new VisionTransformer(ViTConfig.SMALL_8, new Generator(4));
        try (var ng = GradMode.noGrad()) {
            VisionTransformer.Output o = vit.run(Tensor.randn(new Generator(5), 1, 3, 16, 24), Set.of(0, 3));
            assertEquals(Set.of(0, 3), o.captured().keySet());
            assertArrayEquals(new int[]{1, 6, 7, 64}, o.captured().get(3).v().shape());
            assertArrayEquals(new int[]{1, 6, 7, 7}, o.attnLast().shape());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vit.run(Tensor.zeros(1, 3, 20, 24)));
        assertTrue(e.getMessage().contains("multiples of 8"), e.getMessage());
    }

    @Test
    void frozenVitGivesTheEagerBitsAndKeepsItsWeights() {
        VisionTransformer vit = new VisionTransformer(ViTConfig.SMALL_8, new Generator(7));
        Tensor x = Tensor.randn(new Generator(8), 2, 3, 16, 24);
        VisionTransformer.Output eager;
        try (var ng = GradMode.noGrad()) {
            eager = vit.run(x);
        }
        assertSame(vit, vit.freeze());
        assertTrue(vit.isFrozen());
        assertTrue(vit.parameters().stream().noneMatch(Tensor::requiresGrad));
        // no noGrad needed any more: nothing requires grad
        VisionTransformer.Output frozen = vit.run(x);
        assertArrayEquals(eager.tokens().toFloatArray(), frozen.tokens().toFloatArray());
        assertArrayEquals(eager.attnLast().toFloatArray(), frozen.attnLast().toFloatArray());
        assertArrayEquals(eager.tokens().toFloatArray(), vit.run(x).tokens().toFloatArray());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> vit.loadStateDict(vit.stateDict(), true));
        assertTrue(e.getMessage().contains("frozen"), e.getMessage());
    }

    @Test
    void maskContrastNamesMatchTheCheckpoint() {
        var names = new MaskContrastModel(32, new Generator(6)).stateDict().keySet();
        assertTrue(names.containsAll(List.of("backbone.layer4.2.conv3.weight", "decoder.0.convs.4.1.weight", "decoder.0.project.0.weight",
                "decoder.1.weight", "decoder.2.running_var", "head.weight", "head.bias", "classification_head.weight")));
        assertFalse(names.contains("classification_head.bias"));
        assertFalse(names.stream().anyMatch(n -> n.startsWith("decoder.4") || n.startsWith("backbone.fc")));
    }
}
