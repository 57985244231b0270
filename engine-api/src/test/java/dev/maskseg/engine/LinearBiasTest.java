package dev.maskseg.engine;

import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.nn.Layers;
import dev.maskseg.engine.ops.LinAlg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * linear adds its bias in place when nothing is recorded: the same values, and a bias that wants a gradient still gets
 * it. A frozen linear layer (the backend's default linearInference here) gives the eager bits and refuses gradients,
 * new weights and misfit shapes.
 */
class LinearBiasTest {
    private final Generator g = new Generator(7);

    @Test
    void inPlaceBiasGivesTheRecordedPathsValues() {
        Tensor x = Tensor.randn(g, 2, 5, 6), w = Tensor.randn(g, 3, 6), b = Tensor.randn(g, 3);
        float[] recorded = LinAlg.linear(x.requiresGrad(true), w, b).toFloatArray();
        float[] inPlace;
        try (var ng = GradMode.noGrad()) {
            inPlace = LinAlg.linear(x, w, b).toFloatArray();
        }
        assertArrayEquals(recorded, inPlace);
        assertArrayEquals(LinAlg.linear(x.detach(), w, b).toFloatArray(), inPlace);
    }

    @Test
    void aBiasThatRequiresGradIsRecordedEvenWhenNothingElseIs() {
        Tensor x = Tensor.randn(g, 4, 6), w = Tensor.randn(g, 3, 6), b = Tensor.randn(g, 3).requiresGrad(true);
        LinAlg.linear(x, w, b).sum().backward();
        assertNotNull(b.grad(), "bias gradient");
        assertArrayEquals(new float[]{4, 4, 4}, b.grad().toFloatArray());
    }

    @Test
    void frozenLayerGivesTheEagerBitsAndRefusesGradAndNewWeights() {
        Layers.Linear layer = new Layers.Linear(6, 3, true, g);
        Tensor x = Tensor.randn(g, 2, 5, 6);
        float[] eager = layer.forward(x).toFloatArray();
        layer.freeze();
        assertArrayEquals(eager, layer.forward(x).toFloatArray());
        assertArrayEquals(eager, layer.forward(x).toFloatArray());
        assertFalse(layer.weight.requiresGrad());
        IllegalStateException grad = assertThrows(IllegalStateException.class, () -> layer.forward(x.requiresGrad(true)));
        assertTrue(grad.getMessage().contains("linear_inference"), grad.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> layer.loadStateDict(layer.stateDict(), true));
    }

    @Test
    void linearInferenceNamesTheShapesItRefuses() {
        Tensor x = Tensor.randn(g, 4, 6), w = Tensor.randn(g, 3, 7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinAlg.linearInference(x, w, null, new PackedWeights()));
        assertTrue(e.getMessage().contains("[4, 6]") && e.getMessage().contains("[3, 7]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinAlg.linearInference(x, Tensor.randn(g, 3, 6), Tensor.randn(g, 4), new PackedWeights()));
    }

    @Test
    void aMisfitBiasStillFailsAsAnAdd() {
        Tensor x = Tensor.randn(g, 4, 6), w = Tensor.randn(g, 3, 6), b = Tensor.randn(g, 5);
        assertThrows(IllegalArgumentException.class, () -> LinAlg.linear(x, w, b));
    }
}
