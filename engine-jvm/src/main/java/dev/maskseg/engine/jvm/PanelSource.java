package dev.maskseg.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A read-only matrix that can copy a block of itself into a packing buffer:
 * M(r0 + r, c0 + c) goes to dst[off + r * rowStride + c * colStride]. Implementations read strided
 * arrays or build im2col columns on the fly (implicit GEMM), so no large buffer is materialized.
 */
interface PanelSource {
    VectorSpecies<Float> S = VectorWidth.SPECIES;
    int V = S.length();
    VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    /** Rows packed together per sliver by packRowSlivers (8 measured best on Zen 4, 4 to 32 tried). */
    int ROW_GROUP = 8;

    void copyBlock(int r0, int nr, int c0, int nc, float[] dst, int off, int rowStride, int colStride);

    /**
     * Packs rows [r0, r0 + kc) and columns [c0, c0 + nc) as consecutive slivers of width w (each kc x w, row-major, the
     * last one zero-padded), the layout {@link Sgemm} packs B in: one {@link #copyBlock} per sliver.
     */
    default void packSlivers(int r0, int kc, int c0, int nc, int w, float[] dst) {
        for (int s = 0, j = 0; j < nc; s++, j += w) {
            int cols = Math.min(w, nc - j), off = s * kc * w;
            if (cols < w) java.util.Arrays.fill(dst, off, off + kc * w, 0f);
            copyBlock(r0, kc, c0 + j, cols, dst, off, w, 1);
        }
    }

    /** The transpose, with no copy. */
    default PanelSource transposed() {
        PanelSource self = this;
        return (r0, nr, c0, nc, dst, off, rs, cs) -> self.copyBlock(c0, nc, r0, nr, dst, off, cs, rs);
    }

    /** M(r, c) = data[base + r * rs + c * cs]. */
    static PanelSource strided(float[] data, int base, int rs, int cs) {
        PanelSource blocks = stridedBlocks(data, base, rs, cs);
        if (cs != 1) return blocks;
        return new PanelSource() {
            @Override
            public void copyBlock(int r0, int nr, int c0, int nc, float[] dst, int off, int rowStride, int colStride) {
                blocks.copyBlock(r0, nr, c0, nc, dst, off, rowStride, colStride);
            }

            @Override
            public void packSlivers(int r0, int kc, int c0, int nc, int w, float[] dst) {
                if (w != 2 * V) {
                    PanelSource.super.packSlivers(r0, kc, c0, nc, w, dst);
                    return;
                }
                packRowSlivers(data, null, base, rs, r0, kc, c0, nc, dst);
            }
        };
    }

    /** M(r, c) = data[rowStart[r] + c]: rows that are each contiguous but lie anywhere (shifted padded planes). */
    static PanelSource rows(float[] data, int[] rowStart) {
        return new PanelSource() {
            @Override
            public void copyBlock(int r0, int nr, int c0, int nc, float[] dst, int off, int drs, int dcs) {
                if (dcs == 1 && nc == 2 * V) {
                    for (int r = 0; r < nr; r++) copySliverRow(data, rowStart[r0 + r] + c0, dst, off + r * drs);
                    return;
                }
                for (int r = 0; r < nr; r++) {
                    int src = rowStart[r0 + r] + c0, d = off + r * drs;
                    if (dcs == 1) System.arraycopy(data, src, dst, d, nc);
                    else for (int c = 0; c < nc; c++) dst[d + c * dcs] = data[src + c];
                }
            }

            @Override
            public void packSlivers(int r0, int kc, int c0, int nc, int w, float[] dst) {
                if (w == 2 * V) packRowSlivers(data, rowStart, 0, 0, r0, kc, c0, nc, dst);
                else PanelSource.super.packSlivers(r0, kc, c0, nc, w, dst);
            }
        };
    }

    /**
     * packSlivers (width 2V) of kc contiguous rows from r0 on, row r starting at data[start(r) + c0] with start(r) =
     * starts[r], or base + r·rs when starts is null (no per-call array: packing allocates nothing). The rows are taken
     * ROW_GROUP at a time and each group's pieces dealt out sliver by sliver, so the reads run along a few rows at once
     * instead of down kc rows a page or more apart per sliver (a TLB and cache miss per row: packing a 1x1
     * convolution's input took a third of its time). Whole rows at a time were slower still: the slivers, kc·w floats
     * apart, fall into the same cache sets.
     */
    private static void packRowSlivers(float[] data, int[] starts, int base, int rs, int r0, int kc, int c0, int nc, float[] dst) {
        int w = 2 * V, full = nc / w, rest = nc - full * w, sliver = kc * w;
        if (rest > 0) java.util.Arrays.fill(dst, full * sliver, (full + 1) * sliver, 0f);
        for (int rb = 0; rb < kc; rb += ROW_GROUP) {
            int rows = Math.min(ROW_GROUP, kc - rb);
            for (int s = 0; s < full; s++) {
                for (int r = rb; r < rb + rows; r++) {
                    int start = starts == null ? base + (r0 + r) * rs : starts[r0 + r];
                    copySliverRow(data, start + c0 + s * w, dst, s * sliver + r * w);
                }
            }
            if (rest > 0) for (int r = rb; r < rb + rows; r++) {
                int start = starts == null ? base + (r0 + r) * rs : starts[r0 + r];
                System.arraycopy(data, start + c0 + full * w, dst, full * sliver + r * w, rest);
            }
        }
    }

    private static PanelSource stridedBlocks(float[] data, int base, int rs, int cs) {
        return (r0, nr, c0, nc, dst, off, drs, dcs) -> {
            int src = base + r0 * rs + c0 * cs;
            if (cs == 1 && drs == 1 && dcs >= 8 && BlockTranspose.ENABLED) {
                int r = 0;
                for (; r + 8 <= nr; r += 8) BlockTranspose.rows8(data, src + r * rs, rs, nc, dst, off + r, dcs);
                copyStrided(data, src + r * rs, rs, cs, nr - r, nc, dst, off + r, drs, dcs);
            } else if (rs == 1 && dcs == 1 && drs >= 8 && BlockTranspose.ENABLED) {
                int c = 0;
                for (; c + 8 <= nc; c += 8) BlockTranspose.rows8(data, src + c * cs, cs, nr, dst, off + c, drs);
                copyStrided(data, src + c * cs, rs, cs, nr, nc - c, dst, off + c, drs, dcs);
            } else {
                copyStrided(data, src, rs, cs, nr, nc, dst, off, drs, dcs);
            }
        };
    }

    /** dst[off + r * drs + c * dcs] = data[src + r * rs + c * cs], walking whichever side is contiguous innermost. */
    private static void copyStrided(float[] data, int src, int rs, int cs, int nr, int nc, float[] dst, int off, int drs, int dcs) {
        if (cs == 1 && dcs == 1 && nc == 2 * V) {
            for (int r = 0; r < nr; r++) copySliverRow(data, src + r * rs, dst, off + r * drs);
        } else if (cs == 1 && dcs == 1) {
            for (int r = 0; r < nr; r++) System.arraycopy(data, src + r * rs, dst, off + r * drs, nc);
        } else if (rs == 1 && drs == 1 && nr == 8 && BlockTranspose.ENABLED) {
            // an A sliver (8 rows) of a column-major matrix: one 8-float move per column beats an arraycopy call
            for (int c = 0; c < nc; c++) FloatVector.fromArray(S8, data, src + c * cs).intoArray(dst, off + c * dcs);
        } else if (rs == 1 && drs == 1) {
            for (int c = 0; c < nc; c++) System.arraycopy(data, src + c * cs, dst, off + c * dcs, nr);
        } else {
            for (int r = 0; r < nr; r++) {
                for (int c = 0; c < nc; c++) dst[off + r * drs + c * dcs] = data[src + r * rs + c * cs];
            }
        }
    }

    /** dst[d..d+2V) = src[s..s+2V): one full B sliver row as two vector moves, which beat an arraycopy call. */
    static void copySliverRow(float[] src, int s, float[] dst, int d) {
        FloatVector.fromArray(S, src, s).intoArray(dst, d);
        FloatVector.fromArray(S, src, s + V).intoArray(dst, d + V);
    }
}
