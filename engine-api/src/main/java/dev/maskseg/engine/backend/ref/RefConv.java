package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

import static dev.maskseg.engine.backend.ref.RefPointwise.h;

/** Direct convolution and its input and weight gradients, with double accumulation. */
final class RefConv {
    private RefConv() {}

    /** Visits every (output position, weight tap) pair that lies inside the input. */
    private interface Tap {
        void visit(int xOff, int wOff, int yOff);
    }

    private static void forEachTap(View x, View w, View y, ConvParams p, Tap tap) {
        int n = x.shape()[0], cin = x.shape()[1], hh = x.shape()[2], ww = x.shape()[3];
        int cout = w.shape()[0], cinG = w.shape()[1], kh = w.shape()[2], kw = w.shape()[3];
        int oh = y.shape()[2], ow = y.shape()[3], g = p.groups(), coutG = cout / g;
        int[] xs = x.strides(), wst = w.strides(), ys = y.strides();
        for (int b = 0; b < n; b++)
            for (int co = 0; co < cout; co++) {
                int grp = co / coutG;
                for (int ci = 0; ci < cinG; ci++) {
                    int cx = grp * cinG + ci;
                    if (cx >= cin) throw new IllegalStateException("conv2d: channel out of range");
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++) {
                            int wOff = w.offset() + co * wst[0] + ci * wst[1] + i * wst[2] + j * wst[3];
                            for (int oy = 0; oy < oh; oy++) {
                                int iy = oy * p.strideH() - p.padH() + i * p.dilationH();
                                if (iy < 0 || iy >= hh) continue;
                                for (int ox = 0; ox < ow; ox++) {
                                    int ix = ox * p.strideW() - p.padW() + j * p.dilationW();
                                    if (ix < 0 || ix >= ww) continue;
                                    tap.visit(x.offset() + b * xs[0] + cx * xs[1] + iy * xs[2] + ix * xs[3], wOff,
                                            y.offset() + b * ys[0] + co * ys[1] + oy * ys[2] + ox * ys[3]);
                                }
                            }
                        }
                }
            }
    }

    static void conv2d(View x, View w, View bias, ConvParams p, View out) {
        HostStorage xs = h(x), ws = h(w), os = h(out);
        double[] acc = new double[out.numel()];
        int base = out.offset();
        forEachTap(x, w, out, p, (xo, wo, yo) -> acc[yo - base] += xs.get(xo) * ws.get(wo));
        int cout = out.shape()[1], plane = out.shape()[2] * out.shape()[3];
        for (int i = 0; i < acc.length; i++) {
            double bv = bias == null ? 0 : h(bias).get(bias.offset() + ((i / plane) % cout) * bias.strides()[0]);
            os.set(base + i, acc[i] + bv);
        }
    }

    static void conv2dBackwardInput(View gy, View w, ConvParams p, View gx) {
        HostStorage gys = h(gy), ws = h(w), gxs = h(gx);
        double[] acc = new double[gx.numel()];
        int base = gx.offset();
        forEachTap(gx, w, gy, p, (xo, wo, yo) -> acc[xo - base] += gys.get(yo) * ws.get(wo));
        for (int i = 0; i < acc.length; i++) gxs.set(base + i, acc[i]);
    }

    static void conv2dBackwardWeight(View gy, View x, ConvParams p, View gw) {
        HostStorage gys = h(gy), xs = h(x), gws = h(gw);
        double[] acc = new double[gw.numel()];
        int base = gw.offset();
        forEachTap(x, gw, gy, p, (xo, wo, yo) -> acc[wo - base] += gys.get(yo) * xs.get(xo));
        for (int i = 0; i < acc.length; i++) gws.set(base + i, acc[i]);
    }
}
