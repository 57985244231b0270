package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.Meta.*;

/**
 * Device code of the pooling family over NCHW planes: max, average and adaptive average pooling, one work-item per
 * output; the average ones' backwards one work-item per input element, summing the windows that cover it (a gather,
 * so no two work-items write one element); max pooling's backward is a scatter_add. Host side {@link TornadoPool}.
 */
final class TornadoPoolKernel {
    static final int H = ARG, W = ARG + 1, OH = ARG + 2, OW = ARG + 3, KH = ARG + 4, KW = ARG + 5, SH = ARG + 6, SW = ARG + 7,
            PH = ARG + 8, PW = ARG + 9, DH = ARG + 10, DW = ARG + 11, IN = ARG + 12, OUT = ARG + 13, INDICES = ARG + 14,
            COUNT_PAD = ARG + 15;

    private TornadoPoolKernel() {}

    static void maxPool(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int hh = m.get(H), ww = m.get(W), oh = m.get(OH), ow = m.get(OW);
            int pl = i / (oh * ow), oy = (i / ow) % oh, ox = i % ow, xb = m.get(IN) + pl * hh * ww;
            double best = 0.0;
            int arg = -1;
            for (int a = 0; a < m.get(KH); a++) {
                int iy = oy * m.get(SH) - m.get(PH) + a * m.get(DH);
                if (iy >= 0 && iy < hh) {
                    for (int b = 0; b < m.get(KW); b++) {
                        int ix = ox * m.get(SW) - m.get(PW) + b * m.get(DW);
                        if (ix >= 0 && ix < ww) {
                            double v = f.get(xb + iy * ww + ix);
                            int take = 0;
                            if (arg < 0) take = 1;
                            if (v > best) take = 1;
                            if (v != v) take = 1;
                            if (take != 0) {
                                best = v;
                                arg = iy * ww + ix;
                            }
                        }
                    }
                }
            }
            f.set(m.get(OUT) + i, (float) best);
            d.set(m.get(INDICES) + i, arg);
        }
    }

    /** Divisor of the average window of output row/column o along one axis pair is computed by windowStart/End. */
    static int windowStart(int o, int stride, int pad) { return o * stride - pad; }

    static void avgPool(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int hh = m.get(H), ww = m.get(W), oh = m.get(OH), ow = m.get(OW), ph = m.get(PH), pw = m.get(PW);
            int pl = i / (oh * ow), oy = (i / ow) % oh, ox = i % ow;
            int y0 = windowStart(oy, m.get(SH), ph), x0 = windowStart(ox, m.get(SW), pw);
            int y1 = Math.min(y0 + m.get(KH), hh + ph), x1 = Math.min(x0 + m.get(KW), ww + pw);
            int poolSize = (y1 - y0) * (x1 - x0);
            y0 = Math.max(y0, 0);
            x0 = Math.max(x0, 0);
            y1 = Math.min(y1, hh);
            x1 = Math.min(x1, ww);
            int div = m.get(COUNT_PAD) != 0 ? poolSize : (y1 - y0) * (x1 - x0);
            int base = m.get(IN) + pl * hh * ww;
            double s = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) s += f.get(base + y * ww + x);
            }
            f.set(m.get(OUT) + i, (float) (s / div));
        }
    }

    /** IN = gradOut (OH x OW planes), OUT = gradInput (H x W planes, accumulated). */
    static void avgPoolBackward(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int hh = m.get(H), ww = m.get(W), oh = m.get(OH), ow = m.get(OW), ph = m.get(PH), pw = m.get(PW);
            int sh = m.get(SH), sw = m.get(SW), kh = m.get(KH), kw = m.get(KW);
            int pl = i / (hh * ww), y = (i / ww) % hh, x = i % ww;
            int oyLo = Math.max(0, (y + ph - kh + sh) / sh), oyHi = Math.min(oh - 1, (y + ph) / sh);
            int oxLo = Math.max(0, (x + pw - kw + sw) / sw), oxHi = Math.min(ow - 1, (x + pw) / sw);
            double acc = 0;
            for (int oy = oyLo; oy <= oyHi; oy++) {
                int y0 = windowStart(oy, sh, ph);
                int y1 = Math.min(y0 + kh, hh + ph);
                int cy0 = Math.max(y0, 0), cy1 = Math.min(y1, hh);
                if (y >= cy0 && y < cy1) {
                    for (int ox = oxLo; ox <= oxHi; ox++) {
                        int x0 = windowStart(ox, sw, pw);
                        int x1 = Math.min(x0 + kw, ww + pw);
                        int cx0 = Math.max(x0, 0), cx1 = Math.min(x1, ww);
                        if (x >= cx0 && x < cx1) {
                            int div = m.get(COUNT_PAD) != 0 ? (y1 - y0) * (x1 - x0) : (cy1 - cy0) * (cx1 - cx0);
                            acc += f.get(m.get(IN) + (pl * oh + oy) * ow + ox) / (double) div;
                        }
                    }
                }
            }
            int at = m.get(OUT) + i;
            f.set(at, (float) (f.get(at) + acc));
        }
    }

    static int adaptiveStart(int o, int in, int out) { return (o * in) / out; }

    static int adaptiveEnd(int o, int in, int out) { return ((o + 1) * in + out - 1) / out; }

    /** IN = x, OUT = y. */
    static void adaptivePool(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int hh = m.get(H), ww = m.get(W), oh = m.get(OH), ow = m.get(OW);
            int pl = i / (oh * ow), oy = (i / ow) % oh, ox = i % ow;
            int y0 = adaptiveStart(oy, hh, oh), y1 = adaptiveEnd(oy, hh, oh);
            int x0 = adaptiveStart(ox, ww, ow), x1 = adaptiveEnd(ox, ww, ow);
            int base = m.get(IN) + pl * hh * ww;
            double s = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) s += f.get(base + y * ww + x);
            }
            f.set(m.get(OUT) + i, (float) (s / ((y1 - y0) * (x1 - x0))));
        }
    }

    /** IN = gradInput (H x W planes, accumulated), OUT = gradOut. One work-item per input element. */
    static void adaptivePoolBackward(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int hh = m.get(H), ww = m.get(W), oh = m.get(OH), ow = m.get(OW);
            int pl = i / (hh * ww), y = (i / ww) % hh, x = i % ww;
            int oyLo = Math.max(0, (y * oh) / hh - 1), oyHi = Math.min(oh - 1, ((y + 1) * oh) / hh + 1);
            int oxLo = Math.max(0, (x * ow) / ww - 1), oxHi = Math.min(ow - 1, ((x + 1) * ow) / ww + 1);
            double acc = 0;
            for (int oy = oyLo; oy <= oyHi; oy++) {
                int y0 = adaptiveStart(oy, hh, oh), y1 = adaptiveEnd(oy, hh, oh);
                if (y >= y0 && y < y1) {
                    for (int ox = oxLo; ox <= oxHi; ox++) {
                        int x0 = adaptiveStart(ox, ww, ow), x1 = adaptiveEnd(ox, ww, ow);
                        if (x >= x0 && x < x1) {
                            acc += f.get(m.get(OUT) + (pl * oh + oy) * ow + ox) / (double) ((y1 - y0) * (x1 - x0));
                        }
                    }
                }
            }
            int at = m.get(IN) + i;
            f.set(at, (float) (f.get(at) + acc));
        }
    }
}
