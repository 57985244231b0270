package dev.maskseg.engine.ops;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The channels-blocked layout on the reference backend: where each value goes, the zero border, the way back, and the NCHW fallback. */
class ChannelBlockedTest {
    private final Backend ref = Backends.get(ReferenceBackendProvider.NAME);

    @Test
    void eachValueLandsInItsBlockAndComesBack() {
        Tensor x = Tensor.randn(new Generator(1), 2, 32, 3, 5).to(ref);
        ChannelBlocked b = ChannelBlocked.of(x, 2);
        assertArrayEquals(new int[]{2, 2, 7, 9, 16}, b.data().shape());
        float[] d = b.data().toFloatArray(), v = x.toFloatArray();
        // x[n=1, c=21, y=2, x=4] is block 1, lane 5, at (2 + 2, 4 + 2) of its bordered plane
        assertEquals(v[((1 * 32 + 21) * 3 + 2) * 5 + 4], d[(((1 * 2 + 1) * 7 + 4) * 9 + 6) * 16 + 5]);
        double borderSum = 0;
        for (int plane = 0; plane < 4; plane++) {
            for (int r = 0; r < 7; r++) {
                for (int c = 0; c < 9; c++) {
                    if (r >= 2 && r < 5 && c >= 2 && c < 7) continue;
                    for (int l = 0; l < 16; l++) borderSum += Math.abs(d[((plane * 7 + r) * 9 + c) * 16 + l]);
                }
            }
        }
        assertEquals(0, borderSum, "the border is zeros");
        assertArrayEquals(v, b.toNchw().toFloatArray());
        assertArrayEquals(v, ChannelBlocked.of(x, 0).toNchw().toFloatArray());
    }

    @Test
    void aBackendWithoutBlockedKernelsRunsTheLayerInNchw() {
        Generator g = new Generator(2);
        Tensor x = Tensor.randn(g, 1, 16, 6, 6).to(ref), w = Tensor.randn(g, 32, 16, 3, 3).to(ref), res = Tensor.randn(g, 1, 32, 3, 3).to(ref);
        ConvParams p = new ConvParams(2, 2, 1, 1, 1, 1, 1);
        assertFalse(ref.blockedConv(x.dtype(), 16, 32, p, 1));
        ChannelBlocked y = Conv.conv2dInferenceBlocked(ChannelBlocked.of(x, 1), w, null, p, ChannelBlocked.of(res, 0), true, new PackedWeights(), 1);
        assertArrayEquals(Conv.conv2dInference(x, w, null, p, res, true, new PackedWeights()).toFloatArray(), y.toNchw().toFloatArray());
        assertEquals(1, y.border());
    }

    @Test
    void shapesThatDoNotMatchAreOneClearError() {
        Tensor five = Tensor.zeros(1, 2, 5, 5, 16).to(ref);
        var e = assertThrows(IllegalArgumentException.class, () -> new ChannelBlocked(five, 32, 5, 5, 1));
        assertEquals("channels-blocked: data [1, 2, 5, 5, 16] does not hold 32 channels of 5x5 with a border of 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChannelBlocked.of(Tensor.zeros(1, 8, 4, 4).to(ref), 0));
    }
}
