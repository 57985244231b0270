package dev.maskseg.engine.jvm;

/**
 * A whole GEMM A operand (m x k) packed once in {@link Sgemm}'s layout: sliver s holds rows s·MR … s·MR+MR−1 (zero past
 * m) as k steps of MR floats, so the micro-kernel reads any K block of it in place. A frozen layer's weights are packed
 * this way once ({@link dev.maskseg.engine.backend.PackedWeights}) instead of on every call.
 */
final class PackedA implements PanelSource {
    private static final int MR = Sgemm.MR;
    final float[] data;
    final int m, k;

    private PackedA(float[] data, int m, int k) {
        this.data = data;
        this.m = m;
        this.k = k;
    }

    static PackedA of(PanelSource a, int m, int k) {
        float[] d = new float[Math.ceilDiv(m, MR) * MR * k];
        for (int s = 0; s * MR < m; s++) a.copyBlock(s * MR, Math.min(MR, m - s * MR), 0, k, d, s * k * MR, 1, MR);
        return new PackedA(d, m, k);
    }

    /** Where the MR x (k − pc) block of rows row … row+MR−1 from K step pc starts; row is a multiple of MR. */
    int offset(int row, int pc) { return (row / MR) * k * MR + pc * MR; }

    @Override
    public void copyBlock(int r0, int nr, int c0, int nc, float[] dst, int off, int rowStride, int colStride) {
        for (int r = 0; r < nr; r++) {
            int row = r0 + r, base = (row / MR) * k * MR + row % MR;
            for (int c = 0; c < nc; c++) dst[off + r * rowStride + c * colStride] = data[base + (c0 + c) * MR];
        }
    }
}
