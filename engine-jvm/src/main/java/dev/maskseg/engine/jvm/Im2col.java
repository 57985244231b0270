package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ConvParams;

/**
 * The im2col matrix of one image and channel group, never materialized: row (ci, i, j) for input
 * channel ci and kernel tap (i, j), column (oy, ox) for the output pixel; out-of-image taps read 0.
 */
final class Im2col implements PanelSource {
    private final float[] x;
    private final int base, h, w, kh, kw, oh, ow;
    private final ConvParams p;

    Im2col(float[] x, int base, int h, int w, int kh, int kw, int oh, int ow, ConvParams p) {
        this.x = x;
        this.base = base;
        this.h = h;
        this.w = w;
        this.kh = kh;
        this.kw = kw;
        this.oh = oh;
        this.ow = ow;
        this.p = p;
    }

    @Override
    public void copyBlock(int r0, int nr, int c0, int nc, float[] dst, int off, int rowStride, int colStride) {
        for (int r = 0; r < nr; r++) {
            int row = r0 + r, ci = row / (kh * kw), tap = row % (kh * kw), i = tap / kw, j = tap % kw;
            int plane = base + ci * h * w, d = off + r * rowStride;
            int c = c0, end = c0 + nc;
            while (c < end) {
                int oy = c / ow, ox = c % ow, run = Math.min(ow - ox, end - c);
                int iy = oy * p.strideH() - p.padH() + i * p.dilationH();
                int dc = d + (c - c0) * colStride;
                if (iy < 0 || iy >= h) {
                    for (int t = 0; t < run; t++) dst[dc + t * colStride] = 0f;
                } else {
                    int ix0 = ox * p.strideW() - p.padW() + j * p.dilationW(), sw = p.strideW(), rowBase = plane + iy * w;
                    if (sw == 1 && colStride == 1) {
                        int lo = Math.max(0, -ix0), hi = Math.min(run, w - ix0);
                        for (int t = 0; t < Math.min(lo, run); t++) dst[dc + t] = 0f;
                        if (hi > lo) System.arraycopy(x, rowBase + ix0 + lo, dst, dc + lo, hi - lo);
                        for (int t = Math.max(hi, lo); t < run; t++) dst[dc + t] = 0f;
                    } else {
                        for (int t = 0; t < run; t++) {
                            int ix = ix0 + t * sw;
                            dst[dc + t * colStride] = ix >= 0 && ix < w ? x[rowBase + ix] : 0f;
                        }
                    }
                }
                c += run;
            }
        }
    }
}
