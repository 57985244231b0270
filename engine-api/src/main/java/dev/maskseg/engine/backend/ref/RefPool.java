package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

import static dev.maskseg.engine.backend.ref.RefPointwise.h;

/** Pooling over contiguous NCHW planes, PyTorch semantics (padding never wins a max). */
final class RefPool {
    private RefPool() {}

    static void maxPool2d(View x, PoolParams p, View out, View indices) {
        int planes = x.shape()[0] * x.shape()[1], hh = x.shape()[2], ww = x.shape()[3];
        int oh = out.shape()[2], ow = out.shape()[3];
        HostStorage xs = h(x), os = h(out), is = h(indices);
        for (int pl = 0; pl < planes; pl++) {
            int xb = x.offset() + pl * hh * ww, ob = pl * oh * ow;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int arg = -1;
                    for (int i = 0; i < p.kernelH(); i++) {
                        int iy = oy * p.strideH() - p.padH() + i * p.dilationH();
                        if (iy < 0 || iy >= hh) continue;
                        for (int j = 0; j < p.kernelW(); j++) {
                            int ix = ox * p.strideW() - p.padW() + j * p.dilationW();
                            if (ix < 0 || ix >= ww) continue;
                            double v = xs.get(xb + iy * ww + ix);
                            if (arg < 0 || v > best || Double.isNaN(v)) {
                                best = v;
                                arg = iy * ww + ix;
                            }
                        }
                    }
                    os.set(out.offset() + ob + oy * ow + ox, best);
                    is.setLong(indices.offset() + ob + oy * ow + ox, arg);
                }
        }
    }

    /** Calls the visitor with each window's bounds and divisor (PyTorch's avg_pool2d rules). */
    private interface Window {
        void visit(int plane, int oy, int ox, int y0, int y1, int x0, int x1, int divisor);
    }

    private static void forEachAvgWindow(int planes, int hh, int ww, int oh, int ow, PoolParams p, Window win) {
        for (int pl = 0; pl < planes; pl++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int y0 = oy * p.strideH() - p.padH(), x0 = ox * p.strideW() - p.padW();
                    int y1 = Math.min(y0 + p.kernelH(), hh + p.padH()), x1 = Math.min(x0 + p.kernelW(), ww + p.padW());
                    int poolSize = (y1 - y0) * (x1 - x0);
                    y0 = Math.max(y0, 0);
                    x0 = Math.max(x0, 0);
                    y1 = Math.min(y1, hh);
                    x1 = Math.min(x1, ww);
                    int divisor = p.countIncludePad() ? poolSize : (y1 - y0) * (x1 - x0);
                    win.visit(pl, oy, ox, y0, y1, x0, x1, divisor);
                }
    }

    static void avgPool2d(View x, PoolParams p, View out) {
        int hh = x.shape()[2], ww = x.shape()[3], oh = out.shape()[2], ow = out.shape()[3];
        HostStorage xs = h(x), os = h(out);
        forEachAvgWindow(x.shape()[0] * x.shape()[1], hh, ww, oh, ow, p, (pl, oy, ox, y0, y1, x0, x1, div) -> {
            double s = 0;
            for (int y = y0; y < y1; y++)
                for (int xx = x0; xx < x1; xx++) s += xs.get(x.offset() + pl * hh * ww + y * ww + xx);
            os.set(out.offset() + pl * oh * ow + oy * ow + ox, s / div);
        });
    }

    static void avgPool2dBackward(View gy, PoolParams p, View gx) {
        int hh = gx.shape()[2], ww = gx.shape()[3], oh = gy.shape()[2], ow = gy.shape()[3];
        HostStorage gs = h(gy), gxs = h(gx);
        forEachAvgWindow(gy.shape()[0] * gy.shape()[1], hh, ww, oh, ow, p, (pl, oy, ox, y0, y1, x0, x1, div) -> {
            double g = gs.get(gy.offset() + pl * oh * ow + oy * ow + ox) / div;
            for (int y = y0; y < y1; y++)
                for (int xx = x0; xx < x1; xx++) {
                    int at = gx.offset() + pl * hh * ww + y * ww + xx;
                    gxs.set(at, gxs.get(at) + g);
                }
        });
    }

    static int adaptiveStart(int o, int in, int out) { return Math.floorDiv(o * in, out); }

    static int adaptiveEnd(int o, int in, int out) { return Math.ceilDiv((o + 1) * in, out); }

    static void adaptiveAvgPool2d(View x, View out, View gradOut, View gradIn) {
        boolean backward = gradOut != null;
        View in = backward ? gradIn : x, o = backward ? gradOut : out;
        int planes = in.shape()[0] * in.shape()[1], hh = in.shape()[2], ww = in.shape()[3];
        int oh = o.shape()[2], ow = o.shape()[3];
        HostStorage is = h(in), os = h(o);
        for (int pl = 0; pl < planes; pl++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int y0 = adaptiveStart(oy, hh, oh), y1 = adaptiveEnd(oy, hh, oh);
                    int x0 = adaptiveStart(ox, ww, ow), x1 = adaptiveEnd(ox, ww, ow);
                    int cnt = (y1 - y0) * (x1 - x0), oo = o.offset() + pl * oh * ow + oy * ow + ox;
                    if (backward) {
                        double g = os.get(oo) / cnt;
                        for (int y = y0; y < y1; y++)
                            for (int xx = x0; xx < x1; xx++) {
                                int at = in.offset() + pl * hh * ww + y * ww + xx;
                                is.set(at, is.get(at) + g);
                            }
                    } else {
                        double s = 0;
                        for (int y = y0; y < y1; y++)
                            for (int xx = x0; xx < x1; xx++) s += is.get(in.offset() + pl * hh * ww + y * ww + xx);
                        os.set(oo, s / cnt);
                    }
                }
    }
}
