package dev.maskseg.engine;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.storage.FloatBufferPool;
import dev.maskseg.engine.storage.HostStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensor.close hands a buffer to FloatBufferPool only when nothing can still read it. */
class TensorCloseTest {
    private static final int N = FloatBufferPool.MIN_LENGTH;   // the smallest length the pool keeps
    private final Backend be = Backends.get("reference");

    @BeforeEach
    void emptyPool() { FloatBufferPool.clear(); }

    private static float[] data(Tensor t) { return ((HostStorage.F32) t.storage()).data; }

    private Tensor randn(int seed, int... shape) { return Tensor.randn(new Generator(seed), shape).to(be); }

    @Test
    void aClosedOutputsBufferIsReusedAndZeroedForZeros() {
        Tensor y = randn(1, 2, N / 2).mul(3.0);
        float[] buffer = data(y);
        y.close();
        assertEquals(1, FloatBufferPool.stats().kept());
        Tensor z = Tensor.empty(be, DType.FLOAT32, N);
        assertSame(buffer, data(z), "the next allocation of the same length reuses the buffer");
        assertArrayEquals(new float[N], z.toFloatArray(), "a zero-filled allocation is cleared");
        assertEquals(1, FloatBufferPool.stats().reused());
    }

    @Test
    void anUninitializedAllocationKeepsTheOldContents() {
        Tensor y = randn(2, N).add(1.0);
        float[] before = y.toFloatArray().clone();
        y.close();
        Tensor u = Tensor.uninitialized(be, DType.FLOAT32, N);
        assertArrayEquals(before, u.toFloatArray());
    }

    @Test
    void aClosedTensorAndItsViewsRefuseUse() {
        Tensor y = randn(3, 4, N / 4).mul(2.0);
        Tensor v = y.reshape(N);
        y.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.add(1.0));
        assertTrue(e.getMessage().contains("used after close"), e.getMessage());
        assertThrows(IllegalStateException.class, v::toFloatArray, "a view of a released buffer");
        y.close();   // again: nothing
        assertEquals(1, FloatBufferPool.stats().kept());
    }

    @Test
    void partOfAStorageOrACallersArrayIsNeverReused() {
        Tensor y = randn(4, 2, N).mul(1.5);
        Tensor half = y.narrow(0, 0, 1);
        half.close();
        assertEquals(0, FloatBufferPool.stats().kept(), "a view of part of its storage");
        assertEquals(2 * N, y.toFloatArray().length, "the base stays usable");
        Tensor wrapped = Tensor.of(new float[N], N).to(be);
        wrapped.close();
        assertEquals(0, FloatBufferPool.stats().kept(), "an array the caller handed in");
    }

    @Test
    void tensorsABackwardStepSavedAreNeverReused() {
        Tensor w = randn(5, N).requiresGrad(true);
        Tensor x = randn(6, N).mul(1.0);   // an op's output, not needing grad
        Tensor y = x.mul(w);               // backward reads x
        float[] xBefore = x.toFloatArray().clone(), xBuffer = data(x);
        x.close();
        assertEquals(0, FloatBufferPool.stats().kept(), "x was saved for mul's backward");
        assertArrayEquals(xBefore, x.toFloatArray(), "and stays usable");
        Tensor other = randn(7, N).mul(1.0);
        assertNotSame(xBuffer, data(other));
        y.sum().backward();
        assertArrayEquals(xBefore, w.grad().toFloatArray(), "d(sum x·w)/dw = x, read after x was closed");
    }

    @Test
    void aLossWeightOutsideTheInputsIsKeptForBackward() {
        Tensor logits = randn(8, N).requiresGrad(true), targets = randn(9, N).sigmoid();
        Tensor weight = randn(10, N).abs();
        Tensor loss = Losses.bceWithLogits(logits, targets, weight, Losses.Reduction.SUM);
        Tensor expected;
        try (var ng = dev.maskseg.engine.autograd.GradMode.noGrad()) {
            expected = logits.sigmoid().sub(targets).mul(weight);
        }
        weight.close();
        assertEquals(0, FloatBufferPool.stats().kept(), "bce_with_logits' backward reads the weight");
        loss.backward();
        assertArrayEquals(expected.toFloatArray(), logits.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void softmaxIntoAReusedBufferIsExact() {
        Tensor x = randn(11, 64, N / 64);
        float[] first = Norm.softmax(x, -1).toFloatArray().clone();
        Tensor dirty = randn(12, N).mul(7.0);
        dirty.close();
        Tensor again = Norm.softmax(x, -1);
        assertEquals(1, FloatBufferPool.stats().reused(), "softmax's output took the dirty buffer");
        assertArrayEquals(first, again.toFloatArray());
    }
}
