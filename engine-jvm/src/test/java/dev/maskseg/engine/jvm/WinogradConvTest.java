package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** F(2x2, 3x3) against the direct sum in double precision, single-threaded and split over a pool. */
class WinogradConvTest {
    @ParameterizedTest(name = "{0}->{1} {2}x{3} pad {4}, {5} threads")
    @CsvSource({"16, 8, 9, 28, 1, 1", "16, 16, 7, 30, 1, 2", "24, 16, 12, 34, 0, 1", "64, 64, 56, 56, 1, 2", "32, 8, 4, 30, 1, 1",
            "17, 24, 11, 62, 1, 2"})
    void matchesTheDirectSum(int cin, int cout, int h, int w, int pad, int threads) {
        ConvParams p = new ConvParams(1, 1, pad, pad, 1, 1, 1);
        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
        assertTrue(WinogradConv.applies(cin, cout, 3, 3, oh, ow, p));
        SplittableRandom r = new SplittableRandom(cin * 31 + w);
        int xBase = 3, wBase = 5, yBase = 7;
        float[] x = new float[xBase + cin * h * w], wt = new float[wBase + cout * cin * 9], y = new float[yBase + cout * oh * ow + 11];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < wt.length; i++) wt[i] = (float) r.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = 0.25f * i % 3;   // the kernel adds to what y holds (bias)
        float[] before = y.clone();
        float[] u = WinogradConv.transformWeights(wt, wBase, cout, cin);
        WinogradConv.forward(threads == 1 ? null : new WorkerPool(threads), x, xBase, cin, h, w, u, cout, y, yBase, oh, ow, p);
        double worst = 0, scale = 0;
        for (int co = 0; co < cout; co++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double s = 0;
                    for (int ci = 0; ci < cin; ci++) {
                        for (int i = 0; i < 3; i++) {
                            for (int j = 0; j < 3; j++) {
                                int iy = oy - pad + i, ix = ox - pad + j;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                s += (double) wt[wBase + ((co * cin + ci) * 3 + i) * 3 + j] * x[xBase + (ci * h + iy) * w + ix];
                            }
                        }
                    }
                    int at = yBase + (co * oh + oy) * ow + ox;
                    worst = Math.max(worst, Math.abs(y[at] - before[at] - s));
                    scale = Math.max(scale, Math.abs(s));
                }
            }
        }
        assertTrue(worst <= 2e-6 * scale * Math.sqrt(cin), "max error " + worst + " for outputs up to " + scale);
        for (int i = 0; i < yBase; i++) assertTrue(y[i] == before[i], "wrote before the output at " + i);
        for (int i = yBase + cout * oh * ow; i < y.length; i++) assertTrue(y[i] == before[i], "wrote past the output at " + i);
    }

    @Test
    void appliesOnlyWhereItPays() {
        ConvParams same = new ConvParams(1, 1, 1, 1, 1, 1, 1);
        assertTrue(WinogradConv.applies(64, 64, 3, 3, 56, 56, same), "ResNet-50 stage 1: 28 tiles in 32 lanes");
        assertTrue(WinogradConv.applies(128, 128, 3, 3, 28, 28, same), "stage 2: 14 tiles in 16 lanes");
        assertFalse(WinogradConv.applies(256, 256, 3, 3, 14, 14, same), "stage 3: 7 tiles would waste 9 of 16 lanes");
        assertFalse(WinogradConv.applies(64, 64, 3, 3, 28, 28, new ConvParams(2, 2, 1, 1, 1, 1, 1)), "stride 2");
        assertFalse(WinogradConv.applies(64, 64, 3, 3, 56, 56, new ConvParams(1, 1, 2, 2, 2, 2, 1)), "dilation 2");
        assertFalse(WinogradConv.applies(8, 64, 3, 3, 56, 56, same), "too few input channels");
        assertFalse(WinogradConv.applies(64, 12, 3, 3, 56, 56, same), "output channels not a multiple of the kernel's rows");
        assertFalse(WinogradConv.applies(64, 64, 1, 1, 56, 56, same), "1x1");
    }
}
