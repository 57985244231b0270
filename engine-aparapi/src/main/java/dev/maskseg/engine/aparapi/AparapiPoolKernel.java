package dev.maskseg.engine.aparapi;

/**
 * Device code of the pooling family: max, average and adaptive average pooling, and the average ones' backwards (max
 * pooling's backward is a scatter_add), over NCHW planes; host side {@link AparapiPool}.
 */
abstract class AparapiPoolKernel extends AparapiNormKernel {
    // pooling: meta H W OH OW kh kw sh sw ph pw dh dw x out indices countIncludePad

    void maxPoolAt(int i) {
        int hh = meta[0], ww = meta[1], oh = meta[2], ow = meta[3];
        int pl = i / (oh * ow), oy = (i / ow) % oh, ox = i % ow, xb = meta[12] + pl * hh * ww;
        double best = 0.0; // replaced by the first element inside the input
        int arg = -1;
        for (int a = 0; a < meta[4]; a++) {
            int iy = oy * meta[6] - meta[8] + a * meta[10];
            if (iy >= 0 && iy < hh) {
                for (int b = 0; b < meta[5]; b++) {
                    int ix = ox * meta[7] - meta[9] + b * meta[11];
                    if (ix >= 0 && ix < ww) {
                        double v = f[xb + iy * ww + ix];
                        if (arg < 0 || v > best || v != v) { best = v; arg = iy * ww + ix; }
                    }
                }
            }
        }
        f[meta[13] + i] = (float) best;
        d[meta[14] + i] = arg;
    }

    /** Forward writes the window mean to f[outAt]; backward spreads g over the window. */
    private void avgWindow(int pl, int oy, int ox, boolean backward, double g, int outAt) {
        int hh = meta[0], ww = meta[1];
        int y0 = oy * meta[6] - meta[8], x0 = ox * meta[7] - meta[9];
        int y1 = min(y0 + meta[4], hh + meta[8]), x1 = min(x0 + meta[5], ww + meta[9]);
        int poolSize = (y1 - y0) * (x1 - x0);
        y0 = max(y0, 0);
        x0 = max(x0, 0);
        y1 = min(y1, hh);
        x1 = min(x1, ww);
        int div = meta[15] != 0 ? poolSize : (y1 - y0) * (x1 - x0);
        double s = 0;
        int base = (backward ? meta[13] : meta[12]) + pl * hh * ww;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if (backward) f[base + y * ww + x] = (float) (f[base + y * ww + x] + g / div);
                else s += f[base + y * ww + x];
            }
        }
        if (!backward) f[outAt] = (float) (s / div);
    }

    void avgPoolAt(int i) {
        int oh = meta[2], ow = meta[3];
        avgWindow(i / (oh * ow), (i / ow) % oh, i % ow, false, 0, meta[13] + i);
    }

    /** Backward: x slot (meta[12]) holds gradOut, out slot (meta[13]) gradInput. */
    void avgPoolBackwardPlane(int pl) {
        int oh = meta[2], ow = meta[3];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                avgWindow(pl, oy, ox, true, f[meta[12] + (pl * oh + oy) * ow + ox], 0);
            }
        }
    }

    /** meta: H W OH OW in out (in = x / gradInput, out = y / gradOut). */
    void adaptivePlane(int pl, boolean backward) {
        int hh = meta[0], ww = meta[1], oh = meta[2], ow = meta[3];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int y0 = (oy * hh) / oh, y1 = ((oy + 1) * hh + oh - 1) / oh;
                int x0 = (ox * ww) / ow, x1 = ((ox + 1) * ww + ow - 1) / ow;
                int cnt = (y1 - y0) * (x1 - x0), oo = meta[5] + (pl * oh + oy) * ow + ox;
                double s = 0, g = f[oo] / (double) cnt;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        int at = meta[4] + (pl * hh + y) * ww + x;
                        if (backward) f[at] = (float) (f[at] + g);
                        else s += f[at];
                    }
                }
                if (!backward) f[oo] = (float) (s / cnt);
            }
        }
    }
}
