package dev.maskseg.engine.backend.jvm;

/**
 * A read-only matrix that can copy a block of itself into a packing buffer:
 * M(r0 + r, c0 + c) goes to dst[off + r * rowStride + c * colStride]. Implementations read strided
 * arrays or build im2col columns on the fly (implicit GEMM), so no large buffer is materialized.
 */
interface PanelSource {
    void copyBlock(int r0, int nr, int c0, int nc, float[] dst, int off, int rowStride, int colStride);

    /** The transpose, with no copy. */
    default PanelSource transposed() {
        PanelSource self = this;
        return (r0, nr, c0, nc, dst, off, rs, cs) -> self.copyBlock(c0, nc, r0, nr, dst, off, cs, rs);
    }

    /** M(r, c) = data[base + r * rs + c * cs]. */
    static PanelSource strided(float[] data, int base, int rs, int cs) {
        return (r0, nr, c0, nc, dst, off, drs, dcs) -> {
            for (int r = 0; r < nr; r++) {
                int src = base + (r0 + r) * rs + c0 * cs, d = off + r * drs;
                if (cs == 1 && dcs == 1) {
                    System.arraycopy(data, src, dst, d, nc);
                } else {
                    for (int c = 0; c < nc; c++) dst[d + c * dcs] = data[src + c * cs];
                }
            }
        };
    }
}
