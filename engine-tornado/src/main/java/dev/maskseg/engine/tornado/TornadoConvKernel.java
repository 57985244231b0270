package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.Meta.*;

/**
 * Device code of the convolution family: im2col and col2im of one image, one work-item per element written (the GEMMs
 * are {@link TornadoLinAlgKernel}'s); host side {@link TornadoConv}.
 */
final class TornadoConvKernel {
    static final int CH = ARG, H = ARG + 1, W = ARG + 2, KH = ARG + 3, KW = ARG + 4, SH = ARG + 5, SW = ARG + 6,
            PH = ARG + 7, PW = ARG + 8, DH = ARG + 9, DW = ARG + 10, OH = ARG + 11, OW = ARG + 12, X = ARG + 13, COL = ARG + 14;

    private TornadoConvKernel() {}

    /**
     * col[(c, ki, kj), (oy, ox)] = x[c, oy * sh - ph + ki * dh, ox * sw - pw + kj * dw] (0 outside); x over output
     * positions, y over col rows, so that a row's index arithmetic is the same for a whole work-group.
     */
    static void im2col(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int pos = kc.globalIdx, row = kc.globalIdy;
        int ow = m.get(OW), ohw = m.get(OH) * ow;
        if (pos < ohw) {
            int kw = m.get(KW), kh = m.get(KH), hh = m.get(H), ww = m.get(W);
            int i = row * ohw + pos;
            int c = row / (kh * kw), ki = (row / kw) % kh, kj = row % kw;
            int oy = pos / ow, ox = pos % ow;
            int iy = oy * m.get(SH) - m.get(PH) + ki * m.get(DH), ix = ox * m.get(SW) - m.get(PW) + kj * m.get(DW);
            float v = 0f;
            if (iy >= 0 && iy < hh && ix >= 0 && ix < ww) v = f.get(m.get(X) + (c * hh + iy) * ww + ix);
            f.set(m.get(COL) + i, v);
        }
    }

    /** x[c, iy, ix] = the sum of the col entries that im2col took from it (the transpose, as a gather). */
    static void col2im(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int hh = m.get(H), ww = m.get(W), kh = m.get(KH), kw = m.get(KW), oh = m.get(OH), ow = m.get(OW);
            int sh = m.get(SH), sw = m.get(SW), col = m.get(COL);
            int c = i / (hh * ww), iy = (i / ww) % hh, ix = i % ww;
            float acc = 0f;
            for (int ki = 0; ki < kh; ki++) {
                int ty = iy + m.get(PH) - ki * m.get(DH);
                if (ty >= 0 && ty % sh == 0 && ty / sh < oh) {
                    for (int kj = 0; kj < kw; kj++) {
                        int tx = ix + m.get(PW) - kj * m.get(DW);
                        if (tx >= 0 && tx % sw == 0 && tx / sw < ow) {
                            acc += f.get(col + ((c * kh + ki) * kw + kj) * oh * ow + (ty / sh) * ow + tx / sw);
                        }
                    }
                }
            }
            f.set(m.get(X) + i, acc);
        }
    }
}
