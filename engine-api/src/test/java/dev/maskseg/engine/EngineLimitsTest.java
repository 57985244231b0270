package dev.maskseg.engine;

import dev.maskseg.engine.backend.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineLimitsTest {
    @Test
    void largeActivationAndItsGradientFitIn8g() {
        // 16x2048x64x64 = 134M floats (512 MiB) per tensor; surefire runs with -Xmx8g
        Tensor x = Tensor.zeros(16, 2048, 64, 64).add(0.5).requiresGrad(true);
        Tensor y = x.relu();
        y.backward(Tensor.ones(16, 2048, 64, 64));
        assertEquals(1.0f, x.grad().toFloatArray()[134_217_727]);
    }

    @Test
    void unknownOrBadBackendIsAnErrorNotAFallback() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("cuda-magic"));
        assertTrue(e.getMessage().contains("cuda-magic") && e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void shapeErrorsNameOpAndShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"));
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
        assertTrue(b.getMessage().contains("add") && b.getMessage().contains("[4]"), b.getMessage());
    }

    @Test
    void readableToStringAndViewsShareStorage() {
        Tensor t = Tensor.arange(DType.FLOAT32, 0, 6, 1).view(2, 3);
        assertTrue(t.toString().startsWith("tensor([[0.0000, 1.0000, 2.0000],"), t.toString());
        Tensor col = t.t().select(0, 1);
        col.detach().fill_(9);
        assertEquals(9.0, t.get(1, 1));
        assertTrue(!t.t().isContiguous());
    }
}
