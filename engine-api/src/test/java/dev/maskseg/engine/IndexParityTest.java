package dev.maskseg.engine;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Pointwise;
import dev.maskseg.engine.ops.Reduce;
import dev.maskseg.engine.ops.Resize;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Ops {@link BackendParityTest} reaches only indirectly, on integer and float data, every available backend against the
 * reference: index_select / index_add, scatter_add, arg-max/min, top-k (with ties and NaN), nearest resize, integer
 * arithmetic, where, dtype conversions. Like BackendParityTest it runs in each backend module from this test jar.
 */
class IndexParityTest {
    /** One op, run on a backend. */
    private record Check(String name, Function<Backend, Tensor> op) {}

    @TestFactory
    List<DynamicNode> everyBackendMatchesReference() {
        Backend ref = Backends.get(ReferenceBackendProvider.NAME);
        List<DynamicNode> nodes = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) {
            if (p.name().equals(ReferenceBackendProvider.NAME) || !p.isAvailable()) continue;
            Backend be = Backends.get(p.name());
            List<DynamicNode> tests = new ArrayList<>();
            for (int n : new int[]{1, 7, 17, 129}) for (Check c : indexingAndIntegerOps(n)) tests.add(dynamicTest(c.name(), () -> same(c, ref, be)));
            for (int n : new int[]{1, 5, 64}) for (Check c : nanRulesOfMaxAndTopk(n)) tests.add(dynamicTest(c.name(), () -> same(c, ref, be)));
            nodes.add(DynamicContainer.dynamicContainer(p.name(), tests));
        }
        assertTrue(!nodes.isEmpty(), "no non-reference backend available to test");
        return nodes;
    }

    private static void same(Check c, Backend ref, Backend be) {
        Tensor r = c.op().apply(ref), b = c.op().apply(be);
        assertArrayEquals(r.shape(), b.shape(), c.name() + " shape");
        if (r.dtype().isFloating()) assertArrayEquals(r.toFloatArray(), b.toFloatArray(), 1e-5f, c.name());
        else assertArrayEquals(r.toLongArray(), b.toLongArray(), c.name());
    }

    private static List<Check> indexingAndIntegerOps(int n) {
        Generator g = new Generator(n);
        Tensor x = Tensor.randn(g, 3, n, 5);
        long[] pick = new long[n + 2];
        for (int i = 0; i < pick.length; i++) pick[i] = (i * 7L) % n;
        Tensor index = Tensor.ofLongs(pick, pick.length);
        Tensor labels = x.gt(0).to(DType.INT64);
        return List.of(
                new Check("index_select " + n, be -> Index.indexSelect(x.to(be), 1, index.to(be))),
                new Check("index_select backward (index_add) " + n, be -> {
                    Tensor leaf = x.to(be).clone().requiresGrad(true);
                    Index.indexSelect(leaf, 1, index.to(be)).mul(3).sum().backward();
                    return leaf.grad();
                }),
                new Check("scatter_add " + n, be -> Index.scatterAdd(Tensor.zeros(3, 2, 5).to(be), 1, labels.to(be), x.to(be))),
                new Check("argmax " + n, be -> Reduce.argmax(x.to(be), 1, false)),
                new Check("argmin over a strided dim " + n, be -> Reduce.argmin(x.to(be).transpose(1, 2), 2, false)),
                new Check("topk values " + n, be -> Reduce.topk(x.to(be), Math.min(3, n), 1, true).values()),
                new Check("topk indices " + n, be -> Reduce.topk(x.to(be).transpose(1, 2), Math.min(3, n), 2, false).indices()),
                new Check("topk of ties " + n, be -> Reduce.topk(labels.to(be).to(DType.FLOAT32), Math.min(4, n), 1, true).indices()),
                new Check("int64 arithmetic " + n, be -> labels.to(be).mul(labels.to(be).add(3)).sub(1)),
                new Check("where " + n, be -> Pointwise.where(x.to(be).gt(0.5), x.to(be), x.to(be).mul(-2))),
                new Check("nearest resize " + n, be -> Resize.interpolate(x.to(be).reshape(1, 3, n, 5), n + 3, 9, Mode.NEAREST, false)),
                new Check("float64 and uint8 conversions " + n, be -> x.to(be).mul(40).to(DType.UINT8).to(DType.FLOAT64).add(0.5)));
    }

    private static List<Check> nanRulesOfMaxAndTopk(int n) {
        float[] v = new float[2 * n];
        for (int i = 0; i < v.length; i++) v[i] = (i * 37) % 11;
        v[v.length - 1] = Float.NaN;
        Tensor x = Tensor.of(v, 2, n);
        return List.of(
                new Check("argmax with NaN " + n, be -> Reduce.argmax(x.to(be), 1, false)),
                new Check("topk with NaN " + n, be -> Reduce.topk(x.to(be), Math.min(2, n), 1, true).indices()),
                new Check("amax with NaN " + n, be -> Reduce.amax(x.to(be), new int[]{1}, false)),
                new Check("maximum with NaN " + n, be -> Pointwise.maximum(x.to(be), Tensor.zeros(2, n).to(be))));
    }
}
