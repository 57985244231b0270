package dev.maskseg.engine.jvm;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.Conv;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A strided convolution on phase planes reads only what PyTorch reads: an infinite input in the last row and column,
 * which no window of stride 2 reaches, leaves the weight gradient finite and equal to the reference's (the wide grid's
 * discarded columns would otherwise multiply it by a zero output gradient: 0·Inf = NaN).
 */
class ShiftedConvTest {
    @Test
    void inputsNoWindowReadsStayOutOfTheWeightGradient() {
        float[] v = Tensor.randn(new Generator(2), 1, 1, 4, 16).toFloatArray();
        v[15] = Float.POSITIVE_INFINITY;          // row 0, column 15: windows end at column 14
        v[3 * 16 + 4] = Float.NaN;                // row 3: windows read rows 0 and 2
        Tensor x = Tensor.of(v, 1, 1, 4, 16);
        Tensor w = Tensor.randn(new Generator(3), 2, 1, 1, 3);
        ConvParams p = new ConvParams(2, 2, 0, 0, 1, 1, 1);
        assertTrue(ShiftedConv.applies(1, 4, 16, 7, p), "the phase-plane path");
        float[] want = weightGradient(Backends.get(ReferenceBackendProvider.NAME), x, w, p);
        float[] got = weightGradient(Backends.get(JvmBackend.NAME, BackendOptions.threads(1)), x, w, p);
        for (float g : want) assertTrue(Float.isFinite(g), "the reference's gradient is finite");
        assertArrayEquals(want, got, 1e-5f);
    }

    private static float[] weightGradient(Backend be, Tensor x, Tensor w, ConvParams p) {
        Tensor leaf = w.to(be).clone().requiresGrad(true);
        Conv.conv2d(x.to(be), leaf, null, p).sum().backward();
        return leaf.grad().toFloatArray();
    }
}
