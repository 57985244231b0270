package dev.maskseg.engine;

import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.ops.Index;
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
    void indexErrorsNameTheOpCalled() {
        Tensor src = Tensor.ones(2, 3);
        IndexOutOfBoundsException select = assertThrows(IndexOutOfBoundsException.class,
                () -> Index.indexSelect(src, 1, Tensor.ofLongs(new long[]{0, 5}, 2)));
        assertEquals("index_select: index 5 out of range for dim 1 of size 3", select.getMessage());
        IndexOutOfBoundsException gather = assertThrows(IndexOutOfBoundsException.class,
                () -> Index.gather(src, 1, Tensor.ofLongs(new long[]{0, -1}, 2, 1)));
        assertEquals("gather: index -1 out of range for dim 1 of size 3", gather.getMessage());
        IndexOutOfBoundsException scatter = assertThrows(IndexOutOfBoundsException.class,
                () -> Index.scatterAdd(src, 0, Tensor.ofLongs(new long[]{2}, 1, 1), Tensor.ones(1, 1)));
        assertEquals("scatter_add: index 2 out of range for dim 0 of size 2", scatter.getMessage());
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
