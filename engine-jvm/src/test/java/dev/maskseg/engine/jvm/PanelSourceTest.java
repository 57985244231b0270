package dev.maskseg.engine.jvm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Packing copies agree element for element with the definition for every source layout and packing layout, including
 * the vectorized 8-row transposes, their scalar tails (sizes that are not multiples of 8) and a broadcast row (stride 0).
 */
class PanelSourceTest {
    @ParameterizedTest(name = "rs={0} cs={1} block {2}x{3} dst strides {4},{5}")
    @CsvSource({
            // packA of row-major A: rows land interleaved (dst row stride 1, column stride MR)
            "40, 1, 8, 37, 1, 8", "40, 1, 17, 40, 1, 17", "40, 1, 1, 7, 1, 8", "40, 1, 16, 24, 1, 16",
            // packB of a transposed weight (x·Wᵀ): source rows are contiguous in the packing's column direction
            "1, 41, 37, 32, 32, 1", "1, 41, 9, 19, 32, 1", "1, 41, 1, 8, 8, 1",
            // plain copies and transposed A
            "40, 1, 9, 33, 33, 1", "40, 1, 9, 32, 32, 1", "80, 1, 3, 16, 16, 1", "1, 41, 8, 9, 1, 8", "41, 3, 7, 9, 1, 7",
            // a broadcast row
            "0, 1, 8, 24, 1, 8",
    })
    void copyBlockMatchesDefinition(int rs, int cs, int nr, int nc, int drs, int dcs) {
        int r0 = 2, c0 = 3, base = 5, off = 4;
        float[] data = new float[base + (r0 + nr) * Math.max(rs, 1) + (c0 + nc) * cs + 64];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.25f - 7f;
        int span = off + (nr - 1) * drs + (nc - 1) * dcs + 1;
        float[] dst = new float[span + 16];
        java.util.Arrays.fill(dst, Float.NaN);
        PanelSource.strided(data, base, rs, cs).copyBlock(r0, nr, c0, nc, dst, off, drs, dcs);
        boolean[] written = new boolean[dst.length];
        for (int r = 0; r < nr; r++) {
            for (int c = 0; c < nc; c++) {
                int d = off + r * drs + c * dcs;
                written[d] = true;
                assertEquals(data[base + (r0 + r) * rs + (c0 + c) * cs], dst[d], "element (" + r + ", " + c + ")");
            }
        }
        for (int d = 0; d < dst.length; d++) {
            if (!written[d]) assertEquals(Float.NaN, dst[d], "wrote outside the block at " + d);
        }
    }

    /**
     * Sgemm's B packing from a source with contiguous rows (the row-grouped override) lays out the same slivers as the
     * one-copyBlock-per-sliver default, zero padding included: row counts around the group size, widths around a sliver.
     */
    @ParameterizedTest(name = "kc={0} nc={1}")
    @CsvSource({"1, 1", "7, 31", "8, 32", "9, 33", "17, 64", "16, 95", "25, 100", "3, 200"})
    void packSliversMatchesOneCopyPerSliver(int kc, int nc) {
        int w = 2 * PanelSource.V, rs = nc + 13, r0 = 2, c0 = 5;
        float[] data = new float[(r0 + kc) * rs + c0 + nc + 8];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.5f + 1f;
        int slivers = Math.ceilDiv(nc, w);
        float[] grouped = new float[slivers * kc * w], perSliver = new float[grouped.length];
        java.util.Arrays.fill(grouped, Float.NaN);
        java.util.Arrays.fill(perSliver, Float.NaN);
        PanelSource rows = PanelSource.strided(data, 3, rs, 1);
        rows.packSlivers(r0, kc, c0, nc, w, grouped);
        PanelSource plain = rows::copyBlock;   // the interface's default packSlivers
        plain.packSlivers(r0, kc, c0, nc, w, perSliver);
        org.junit.jupiter.api.Assertions.assertArrayEquals(perSliver, grouped);
        assertEquals(data[3 + r0 * rs + c0], grouped[0]);
        // rows anywhere (ShiftedConv's shifted planes): every third row start, reversed
        int[] starts = new int[r0 + kc];
        for (int r = 0; r < starts.length; r++) starts[r] = ((starts.length - 1 - r) * 3 % (r0 + kc)) * rs + 1;
        PanelSource shifted = PanelSource.rows(data, starts);
        java.util.Arrays.fill(grouped, Float.NaN);
        java.util.Arrays.fill(perSliver, Float.NaN);
        shifted.packSlivers(r0, kc, c0, nc, w, grouped);
        ((PanelSource) shifted::copyBlock).packSlivers(r0, kc, c0, nc, w, perSliver);
        org.junit.jupiter.api.Assertions.assertArrayEquals(perSliver, grouped);
        assertEquals(data[starts[r0] + c0], grouped[0]);
    }
}
