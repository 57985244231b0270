package dev.maskseg.engine.tornado;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Pointwise;
import dev.maskseg.engine.ops.Reduce;
import dev.maskseg.engine.ops.Resize;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Ops the shared parity suite reaches only indirectly, on integer and float data, against the reference backend:
 * index_select / index_add, scatter_add, arg-max, top-k (with ties and NaN), nearest resize, integer arithmetic, where,
 * dtype conversions.
 */
class TornadoIndexParityTest {
    private static void same(String what, Function<Backend, Tensor> op) {
        Backend ref = Backends.get(ReferenceBackendProvider.NAME), tv = TornadoTesting.backend();
        Tensor r = op.apply(ref), t = op.apply(tv);
        assertArrayEquals(r.shape(), t.shape(), what + " shape");
        if (r.dtype().isFloating()) assertArrayEquals(r.toFloatArray(), t.toFloatArray(), 1e-5f, what);
        else assertArrayEquals(r.toLongArray(), t.toLongArray(), what);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 17, 129})
    void indexingAndIntegerOps(int n) {
        Generator g = new Generator(n);
        Tensor x = Tensor.randn(g, 3, n, 5);
        long[] pick = new long[n + 2];
        for (int i = 0; i < pick.length; i++) pick[i] = (i * 7L) % n;
        Tensor index = Tensor.ofLongs(pick, pick.length);
        Tensor labels = x.gt(0).to(DType.INT64);

        same("index_select " + n, be -> Index.indexSelect(x.to(be), 1, index.to(be)));
        same("index_select backward (index_add) " + n, be -> {
            Tensor leaf = x.to(be).clone().requiresGrad(true);
            Index.indexSelect(leaf, 1, index.to(be)).mul(3).sum().backward();
            return leaf.grad();
        });
        same("scatter_add " + n, be -> Index.scatterAdd(Tensor.zeros(3, 2, 5).to(be), 1, labels.to(be), x.to(be)));
        same("argmax " + n, be -> Reduce.argmax(x.to(be), 1, false));
        same("argmin over a strided dim " + n, be -> Reduce.argmin(x.to(be).transpose(1, 2), 2, false));
        same("topk values " + n, be -> Reduce.topk(x.to(be), Math.min(3, n), 1, true).values());
        same("topk indices " + n, be -> Reduce.topk(x.to(be).transpose(1, 2), Math.min(3, n), 2, false).indices());
        same("topk of ties " + n, be -> Reduce.topk(labels.to(be).to(DType.FLOAT32), Math.min(4, n), 1, true).indices());
        same("int64 arithmetic " + n, be -> labels.to(be).mul(labels.to(be).add(3)).sub(1));
        same("where " + n, be -> Pointwise.where(x.to(be).gt(0.5), x.to(be), x.to(be).mul(-2)));
        same("nearest resize " + n, be -> Resize.interpolate(x.to(be).reshape(1, 3, n, 5), n + 3, 9, Mode.NEAREST, false));
        same("float64 and uint8 conversions " + n, be -> x.to(be).mul(40).to(DType.UINT8).to(DType.FLOAT64).add(0.5));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 64})
    void nanRulesOfMaxAndTopk(int n) {
        float[] v = new float[2 * n];
        for (int i = 0; i < v.length; i++) v[i] = (i * 37) % 11;
        v[v.length - 1] = Float.NaN;
        Tensor x = Tensor.of(v, 2, n);
        same("argmax with NaN " + n, be -> Reduce.argmax(x.to(be), 1, false));
        same("topk with NaN " + n, be -> Reduce.topk(x.to(be), Math.min(2, n), 1, true).indices());
        same("amax with NaN " + n, be -> Reduce.amax(x.to(be), new int[]{1}, false));
        same("maximum with NaN " + n, be -> Pointwise.maximum(x.to(be), Tensor.zeros(2, n).to(be)));
    }
}
