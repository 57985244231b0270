package dev.maskseg.engine.jvm;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.storage.FloatBufferPool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jvm backend writes every element of a convolution's output (JvmBackend.convOverwritesOutput), so the op hands it
 * an uninitialized buffer: on every path, an output that lands in a reused buffer full of NaN equals one computed in
 * fresh memory, bit for bit. Outputs are at least FloatBufferPool.MIN_LENGTH floats, so that the pool keeps them.
 */
class ConvDirtyOutputTest {
    record Case(String name, int[] x, int[] w, ConvParams p, boolean bias, boolean frozen) {
        @Override public String toString() { return name; }
    }

    private static ConvParams params(int stride, int pad, int dilation, int groups) {
        return new ConvParams(stride, stride, pad, pad, dilation, dilation, groups);
    }

    static List<Case> cases() {
        return List.of(
                new Case("1x1 one GEMM", new int[]{1, 32, 24, 24}, new int[]{48, 32, 1, 1}, params(1, 0, 1, 1), false, false),
                new Case("1x1 one GEMM, bias", new int[]{1, 32, 24, 24}, new int[]{48, 32, 1, 1}, params(1, 0, 1, 1), true, false),
                new Case("3x3 winograd", new int[]{1, 16, 28, 28}, new int[]{32, 16, 3, 3}, params(1, 1, 1, 1), false, false),
                new Case("3x3 dilation 2", new int[]{1, 8, 40, 40}, new int[]{16, 8, 3, 3}, params(1, 2, 2, 1), false, false),
                new Case("3x3 stride 2", new int[]{1, 8, 64, 64}, new int[]{16, 8, 3, 3}, params(2, 1, 1, 1), false, false),
                new Case("7x7 stride 2 stem, batch 2", new int[]{2, 3, 64, 64}, new int[]{64, 3, 7, 7}, params(2, 3, 1, 1), false, false),
                new Case("groups 2", new int[]{1, 8, 48, 48}, new int[]{8, 4, 3, 3}, params(1, 1, 1, 2), false, false),
                new Case("frozen 3x3 at 14x14 (pixel rows with 16-lane vectors)", new int[]{1, 64, 14, 14}, new int[]{96, 64, 3, 3}, params(1, 1, 1, 1), false, true),
                new Case("frozen 3x3 stride 2, bias", new int[]{1, 8, 64, 64}, new int[]{16, 8, 3, 3}, params(2, 1, 1, 1), true, true));
    }

    private static Tensor conv(Tensor[] in, Case c, PackedWeights packed) {
        try (var ng = GradMode.noGrad()) {
            return c.frozen() ? Conv.conv2dInference(in[0], in[1], in[2], c.p(), null, false, packed) : Conv.conv2d(in[0], in[1], in[2], c.p());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aReusedBufferFullOfNaNGivesTheSameOutput(Case c) {
        for (int threads : new int[]{1, 2}) {
            Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(threads));
            assertTrue(jvm.convOverwritesOutput());
            Generator g = new Generator(3);
            Tensor[] in = {Tensor.randn(g, c.x()).to(jvm), Tensor.randn(g, c.w()).mul(0.2).to(jvm), c.bias() ? Tensor.randn(g, c.w()[0]).to(jvm) : null};
            PackedWeights packed = new PackedWeights();
            FloatBufferPool.clear();
            Tensor fresh = conv(in, c, packed);
            float[] want = fresh.toFloatArray();
            assertTrue(want.length >= FloatBufferPool.MIN_LENGTH, c + ": the pool keeps an output this size");

            fresh.close();
            Tensor.empty(jvm, DType.FLOAT32, fresh.shape()).fill_(Float.NaN).close();   // the newest released buffer of that size: NaN
            long reused = FloatBufferPool.stats().reused();
            float[] got = conv(in, c, packed).toFloatArray();
            assertEquals(reused + 1, FloatBufferPool.stats().reused(), c + ": the output took a reused buffer");
            assertArrayEquals(want, got, c + ", " + threads + " thread(s): output in a NaN-filled buffer");
        }
        FloatBufferPool.clear();
    }
}
