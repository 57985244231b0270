package dev.maskseg.engine.jvm;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.LinAlg;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The jvm frozen linear layer (its transposed weight packed once and read in place) gives the bits of the eager
 * linear (matmul on the transposed view, then the bias) on the jvm backend, within 1e-5 (of the largest output) of
 * the reference backend, on
 * every matmul path: a few rows (one pass over the weight), one and two threads, widths that are not multiples of the
 * micro-kernel's, more than one K block, a 3-D input; a second call with another row count reuses the one packed form.
 */
class LinearInferenceTest {
    @ParameterizedTest(name = "[{0}, {1}] x [{2}, {1}]ᵀ, {3} threads, bias {4}")
    @CsvSource({
            "1, 384, 1152, 1, true",
            "3, 40, 70, 2, false",
            "197, 384, 1152, 2, true",
            "197, 1536, 384, 1, true",
            "50, 1100, 33, 2, true",
            "9, 17, 5, 1, false"})
    void frozenLinearGivesTheEagerBits(int m, int k, int n, int threads, boolean withBias) {
        Backend jvm = Backends.get("jvm", new BackendOptions(threads, null));
        Generator g = new Generator(m * 31 + k);
        Tensor x = Tensor.randn(g, 2, m, k), w = Tensor.randn(g, n, k), b = withBias ? Tensor.randn(g, n) : null;
        PackedWeights packed = new PackedWeights();
        try (var ng = GradMode.noGrad()) {
            Tensor xj = x.to(jvm), wj = w.to(jvm), bj = b == null ? null : b.to(jvm);
            float[] eager = LinAlg.linear(xj, wj, bj).toFloatArray();
            Tensor frozen = LinAlg.linearInference(xj, wj, bj, packed);
            assertArrayEquals(new int[]{2, m, n}, frozen.shape());
            assertSameSums(eager, frozen.toFloatArray(), 2 * m);
            // another row count (a strided view), the same packed weight
            Tensor firstRow = xj.narrow(1, 0, 1);
            assertSameSums(LinAlg.linear(firstRow, wj, bj).toFloatArray(), LinAlg.linearInference(firstRow, wj, bj, packed).toFloatArray(), 2);
            assertSameSums(eager, LinAlg.linearInference(xj, wj, bj, packed).toFloatArray(), 2 * m);
            assertEquals(2 * m <= SmallRowsMatmul.MAX_ROWS ? 0 : 1, packed.size(), "packed forms kept");

            Backend ref = Backends.get(ReferenceBackendProvider.NAME);
            float[] reference = LinAlg.linearInference(x.to(ref), w.to(ref), b == null ? null : b.to(ref), new PackedWeights()).toFloatArray();
            double scale = 0;
            for (float v : reference) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < eager.length; i++) assertEquals(reference[i], eager[i], 1e-5 * scale, "element " + i);
        }
    }

    /**
     * The same bits on the packed GEMM. A product of a few rows is a dot product per element on both paths, whose
     * vector lane sum (FloatVector.reduceLanes) may add in another order interpreted than compiled: there, within 1e-6 of the largest.
     */
    private static void assertSameSums(float[] want, float[] got, int rows) {
        if (rows > SmallRowsMatmul.MAX_ROWS) {
            assertArrayEquals(want, got);
            return;
        }
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-6 * scale, "element " + i);
    }
}
