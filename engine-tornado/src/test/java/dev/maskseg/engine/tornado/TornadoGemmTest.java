package dev.maskseg.engine.tornado;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.Conv;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both GEMM kernels against the reference (the parity suite runs only the device's default one): edges that are not
 * multiples of the blocks, transposed operands, broadcast batches, and the accumulating GEMM of a convolution's weight
 * gradient over several images.
 */
class TornadoGemmTest {
    private static void same(String what, Backend be, Function<Backend, Tensor> op) {
        Tensor r = op.apply(Backends.get(ReferenceBackendProvider.NAME)), t = op.apply(be);
        assertArrayEquals(r.shape(), t.shape(), what);
        float[] e = r.toFloatArray(), a = t.toFloatArray();
        double scale = 1e-6;
        for (float v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= 2e-5 * scale, what + ": element " + i + " expected " + e[i] + " got " + a[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(TornadoLinAlg.Gemm.class)
    void bothKernelsMatchTheReference(TornadoLinAlg.Gemm gemm) {
        TornadoBackend be = TornadoTesting.instance(false, false, 16, gemm);
        Generator g = new Generator(11);
        for (int n : new int[]{1, 7, 16, 17, 33, 70}) {
            Tensor a = Tensor.randn(g, n + 3, 2 * n + 1), b = Tensor.randn(g, 2 * n + 1, n);
            same(gemm + " matmul " + n, be, x -> a.to(x).matmul(b.to(x)));
            same(gemm + " transposed B " + n, be, x -> a.to(x).matmul(b.transpose(0, 1).contiguous().to(x).transpose(0, 1)));
            same(gemm + " transposed A " + n, be, x -> a.transpose(0, 1).contiguous().to(x).transpose(0, 1).matmul(b.to(x)));
            Tensor ba = Tensor.randn(g, 2, 1, n, 9), bb = Tensor.randn(g, 3, 9, n + 5);
            same(gemm + " broadcast batch " + n, be, x -> ba.to(x).matmul(bb.to(x)));
        }
        Tensor x = Tensor.randn(g, 3, 5, 9, 11), w = Tensor.randn(g, 6, 5, 3, 3);
        same(gemm + " conv weight gradient over 3 images", be, d -> {
            Tensor wl = w.to(d).clone().requiresGrad(true);
            Conv.conv2d(x.to(d), wl, null, 1, 1, 1, 1).mul(Tensor.randn(new Generator(2), 3, 6, 9, 11).to(d)).sum().backward();
            return wl.grad();
        });
        same(gemm + " 1x1 conv weight gradient (B = x transposed)", be, d -> {
            Tensor wl = Tensor.randn(new Generator(4), 4, 5, 1, 1).to(d).requiresGrad(true);
            Conv.conv2d(x.to(d), wl, null, 1, 0, 1, 1).sum().backward();
            return wl.grad();
        });
    }
}
