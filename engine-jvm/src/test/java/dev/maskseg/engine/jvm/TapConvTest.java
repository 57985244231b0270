package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-tap kernel layouts against their index definitions, and which convolutions take the tap GEMMs. */
class TapConvTest {
    @ParameterizedTest(name = "cout {0}, cin {1}, taps {2}")
    @CsvSource({"1, 1, 1", "3, 17, 9", "40, 33, 9", "5, 16, 25", "64, 7, 4"})
    void repackedLayoutsFollowTheirDefinitions(int cout, int cin, int taps) {
        float[] w = new float[cout * cin * taps];
        for (int i = 0; i < w.length; i++) w[i] = i + 0.5f;
        int off = 3;   // a group's block need not start at 0
        float[] first = new float[off + w.length], flipped = new float[off + w.length];
        TapConv.tapsFirst(w, 0, cout, cin, taps, first, off);
        TapConv.flippedTapsFirst(w, 0, cout, cin, taps, flipped, off);
        float[] wantFirst = new float[off + w.length], wantFlipped = new float[off + w.length];
        for (int co = 0; co < cout; co++)
            for (int ci = 0; ci < cin; ci++)
                for (int t = 0; t < taps; t++) {
                    wantFirst[off + (t * cout + co) * cin + ci] = w[(co * cin + ci) * taps + t];
                    wantFlipped[off + ((taps - 1 - t) * cin + ci) * cout + co] = w[(co * cin + ci) * taps + t];
                }
        assertArrayEquals(wantFirst, first);
        assertArrayEquals(wantFlipped, flipped);

        // the weight gradient's scatter is the inverse of tapsFirst: it adds w back in its own layout
        float[] gw = new float[w.length], wantGw = new float[w.length];
        java.util.Arrays.fill(gw, 1f);
        TapConv.scatterTaps(java.util.Arrays.copyOfRange(first, off, off + w.length), cout, cin, taps, gw, 0);
        for (int i = 0; i < w.length; i++) wantGw[i] = 1f + w[i];
        assertArrayEquals(wantGw, gw);
    }

    @Test
    void smallMapsAtBatchOneSkipTheRepackWhileDilatedMapsKeepTheTaps() {
        ConvParams pad1 = new ConvParams(1, 1, 1, 1, 1, 1, 1);
        // ResNet-50 layer4 at batch 1: repacking 512x512x9 weights cost as much as the convolution
        assertFalse(TapConv.preferred(1, 512, 7, 7, 7, 7, 3, 3, pad1));
        assertFalse(TapConv.preferred(1, 256, 14, 14, 14, 14, 3, 3, pad1));
        // DeepLab's dilated layers at output stride 8 (41x41 at 321²) and ASPP: most taps read padding
        ConvParams dil2 = new ConvParams(1, 1, 2, 2, 2, 2, 1), aspp12 = new ConvParams(1, 1, 12, 12, 12, 12, 1);
        assertTrue(TapConv.preferred(2, 256, 41, 41, 41, 41, 3, 3, dil2));
        assertTrue(TapConv.preferred(1, 2048, 41, 41, 41, 41, 3, 3, aspp12));
        assertFalse(TapConv.preferred(2, 64, 56, 56, 56, 56, 3, 3, new ConvParams(2, 2, 1, 1, 1, 1, 1)), "stride 2");
    }
}
