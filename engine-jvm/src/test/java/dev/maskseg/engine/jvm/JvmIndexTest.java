package dev.maskseg.engine.jvm;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Pool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The jvm scatter_add (max pooling's and index_select's backward) equals the reference bit for bit: the same float
 * additions in the same order per line, with one thread and with lines in parallel.
 */
class JvmIndexTest {
    private static float[] grad(Backend be, Tensor x, Function<Tensor, Tensor> op) {
        Tensor leaf = x.to(be).clone().requiresGrad(true);
        Tensor y = op.apply(leaf);
        y.mul(Tensor.randn(new Generator(5), y.shape()).to(be)).sum().backward();
        return leaf.grad().toFloatArray();
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 3})
    void scatterAddEqualsTheReferenceExactly(int threads) {
        Backend ref = Backends.get(ReferenceBackendProvider.NAME), jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(threads));
        Tensor x = Tensor.randn(new Generator(1), 4, 64, 41, 40);
        // overlapping 3x3 windows: one input often takes the gradient of several windows, so the order of additions matters
        Function<Tensor, Tensor> pool = t -> Pool.maxPool2d(t, 3, 1, 1);
        assertArrayEquals(grad(ref, x, pool), grad(jvm, x, pool), "max_pool2d backward");
        Tensor index = Tensor.ofLongs(new long[]{3, 0, 3, 3, 1, 0, 39}, 7);
        Function<Tensor, Tensor> select = t -> Index.indexSelect(t, 3, index.to(t.backend()));
        assertArrayEquals(grad(ref, x, select), grad(jvm, x, select), "index_select backward (broadcast index)");
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 3})
    void anIndexOutOfRangeNamesScatterAdd(int threads) {
        Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(threads));
        Tensor base = Tensor.zeros(2, 300, 400).to(jvm), src = Tensor.ones(2, 300, 400).to(jvm);
        long[] at = new long[2 * 300 * 400];
        at[at.length - 1] = 400;
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Index.scatterAdd(base, 2, Tensor.ofLongs(at, 2, 300, 400).to(jvm), src));
        assertEquals("scatter_add: index 400 out of range for dim 2 of size 400", e.getMessage());
    }
}
