package dev.maskseg.engine;

import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.LinAlg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** linear adds its bias in place when nothing is recorded: the same values, and a bias that wants a gradient still gets it. */
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
    void aMisfitBiasStillFailsAsAnAdd() {
        Tensor x = Tensor.randn(g, 4, 6), w = Tensor.randn(g, 3, 6), b = Tensor.randn(g, 5);
        assertThrows(IllegalArgumentException.class, () -> LinAlg.linear(x, w, b));
    }
}
