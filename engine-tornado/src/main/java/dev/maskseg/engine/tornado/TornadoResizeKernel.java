package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.Meta.*;

/**
 * Device code of the resize family (nearest, bilinear, bicubic) with the reference's separable taps, precomputed on
 * the host and kept in the double arena; host side {@link TornadoResize}. The forward is one work-item per output;
 * the backward one work-item per input element, summing over the outputs that tap it (inverted tap lists), so no two
 * work-items write one element.
 */
final class TornadoResizeKernel {
    static final int IH = ARG, IW = ARG + 1, OH = ARG + 2, OW = ARG + 3, IN = ARG + 4, OUT = ARG + 5;
    /** Forward: taps per output row/column and the tables (index, weight) per axis. */
    static final int NY = ARG + 6, NX = ARG + 7, TY_I = ARG + 8, TY_W = ARG + 9, TX_I = ARG + 10, TX_W = ARG + 11;
    /** Backward: per axis the inverted taps as lists per input position: start[in + 1], output index, weight. */
    static final int YS = ARG + 6, YO = ARG + 7, YW = ARG + 8, XS = ARG + 9, XO = ARG + 10, XW = ARG + 11;

    private TornadoResizeKernel() {}

    /** IN = x, OUT = y. */
    static void resize(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int ih = m.get(IH), iw = m.get(IW), oh = m.get(OH), ow = m.get(OW), ny = m.get(NY), nx = m.get(NX);
            int pl = i / (oh * ow), oy = (i / ow) % oh, ox = i % ow, ib = m.get(IN) + pl * ih * iw;
            double acc = 0;
            for (int a = 0; a < ny; a++) {
                int sy = (int) d.get(m.get(TY_I) + oy * ny + a);
                double wy = d.get(m.get(TY_W) + oy * ny + a);
                for (int b = 0; b < nx; b++) {
                    int sx = (int) d.get(m.get(TX_I) + ox * nx + b);
                    acc += wy * d.get(m.get(TX_W) + ox * nx + b) * f.get(ib + sy * iw + sx);
                }
            }
            f.set(m.get(OUT) + i, (float) acc);
        }
    }

    /** IN = gradInput (accumulated), OUT = gradOut. */
    static void resizeBackward(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int ih = m.get(IH), iw = m.get(IW), oh = m.get(OH), ow = m.get(OW);
            int pl = i / (ih * iw), y = (i / iw) % ih, x = i % iw;
            int ys = m.get(YS), xs = m.get(XS), gb = m.get(OUT) + pl * oh * ow;
            int y0 = (int) d.get(ys + y), y1 = (int) d.get(ys + y + 1);
            int x0 = (int) d.get(xs + x), x1 = (int) d.get(xs + x + 1);
            double acc = 0;
            for (int a = y0; a < y1; a++) {
                int oy = (int) d.get(m.get(YO) + a);
                double wy = d.get(m.get(YW) + a);
                for (int b = x0; b < x1; b++) {
                    int ox = (int) d.get(m.get(XO) + b);
                    acc += wy * d.get(m.get(XW) + b) * f.get(gb + oy * ow + ox);
                }
            }
            int at = m.get(IN) + i;
            f.set(at, (float) (f.get(at) + acc));
        }
    }
}
