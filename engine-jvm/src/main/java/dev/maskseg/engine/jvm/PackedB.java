package dev.maskseg.engine.jvm;

/**
 * A whole GEMM B operand (k x n) packed once in {@link Sgemm}'s layout: sliver s holds columns s·NR … s·NR+NR−1 (zero
 * past n) as k steps of NR floats, read in place by the micro-kernel for any K block. {@link PixelRowsConv} keeps a
 * frozen layer's transposed weights this way.
 */
final class PackedB implements PanelSource {
    private static final int NR = Sgemm.NR;
    final float[] data;
    final int k, n;

    private PackedB(float[] data, int k, int n) {
        this.data = data;
        this.k = k;
        this.n = n;
    }

    static PackedB of(PanelSource b, int k, int n) {
        float[] d = new float[Math.ceilDiv(n, NR) * NR * k];
        b.packSlivers(0, k, 0, n, NR, d);
        return new PackedB(d, k, n);
    }

    /** Where the k − pc steps of the sliver of columns col … col+NR−1 start; col is a multiple of NR. */
    int offset(int col, int pc) { return (col / NR) * k * NR + pc * NR; }

    @Override
    public void copyBlock(int r0, int nr, int c0, int nc, float[] dst, int off, int rowStride, int colStride) {
        for (int r = 0; r < nr; r++) {
            for (int c = 0; c < nc; c++) {
                int col = c0 + c;
                dst[off + r * rowStride + c * colStride] = data[(col / NR) * k * NR + (r0 + r) * NR + col % NR];
            }
        }
    }
}
