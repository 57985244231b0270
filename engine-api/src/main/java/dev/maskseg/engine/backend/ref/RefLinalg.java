package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

import java.util.Arrays;

import static dev.maskseg.engine.backend.ref.RefPointwise.h;

/** Scalar matmul and direct convolution with double accumulation. */
final class RefLinalg {
    private RefLinalg() {}

    static void matmul(View a, View b, View dst) {
        int r = a.rank(), m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
        int[] batch = Arrays.copyOfRange(a.shape(), 0, r - 2);
        int nb = 1;
        for (int s : batch) nb *= s;
        int[][] st = {Arrays.copyOfRange(a.strides(), 0, r - 2), Arrays.copyOfRange(b.strides(), 0, r - 2),
                Arrays.copyOfRange(dst.strides(), 0, r - 2)};
        Cursor c = new Cursor(batch, st, new int[]{a.offset(), b.offset(), dst.offset()});
        HostStorage x = h(a), y = h(b), d = h(dst);
        int am = a.strides()[r - 2], ak = a.strides()[r - 1], bk = b.strides()[r - 2], bn = b.strides()[r - 1];
        int dm = dst.strides()[r - 2], dn = dst.strides()[r - 1];
        for (int bi = 0; bi < nb; bi++, c.next()) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) acc += x.get(c.off[0] + i * am + p * ak) * y.get(c.off[1] + p * bk + j * bn);
                    d.set(c.off[2] + i * dm + j * dn, acc);
                }
            }
        }
    }

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

    static void softmax(View x, View out, boolean log) {
        int d = x.shape()[x.rank() - 1], rows = x.numel() / Math.max(d, 1);
        HostStorage xs = h(x), os = h(out);
        for (int r = 0; r < rows; r++) {
            int xo = x.offset() + r * d, oo = out.offset() + r * d;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < d; i++) max = Math.max(max, xs.get(xo + i));
            double sum = 0;
            for (int i = 0; i < d; i++) sum += Math.exp(xs.get(xo + i) - max);
            double logSum = Math.log(sum);
            for (int i = 0; i < d; i++) {
                double z = xs.get(xo + i) - max;
                os.set(oo + i, log ? z - logSum : Math.exp(z) / sum);
            }
        }
    }

    static void layerNorm(View x, View w, View b, double eps, View out, View mean, View rstd) {
        int d = x.shape()[x.rank() - 1], rows = x.numel() / Math.max(d, 1);
        HostStorage xs = h(x), os = h(out), ms = h(mean), rs = h(rstd);
        for (int r = 0; r < rows; r++) {
            int xo = x.offset() + r * d, oo = out.offset() + r * d;
            double mu = 0;
            for (int i = 0; i < d; i++) mu += xs.get(xo + i);
            mu /= d;
            double var = 0;
            for (int i = 0; i < d; i++) {
                double t = xs.get(xo + i) - mu;
                var += t * t;
            }
            double rs1 = 1.0 / Math.sqrt(var / d + eps);
            ms.set(mean.offset() + r, mu);
            rs.set(rstd.offset() + r, rs1);
            for (int i = 0; i < d; i++) {
                double y = (xs.get(xo + i) - mu) * rs1;
                if (w != null) y *= h(w).get(w.offset() + i * w.strides()[0]);
                if (b != null) y += h(b).get(b.offset() + i * b.strides()[0]);
                os.set(oo + i, y);
            }
        }
    }

    static void layerNormBackward(View gy, View x, View w, View mean, View rstd, View gx, View gw, View gb) {
        int d = x.shape()[x.rank() - 1], rows = x.numel() / Math.max(d, 1);
        HostStorage gys = h(gy), xs = h(x), ms = h(mean), rs = h(rstd), gxs = h(gx);
        double[] accW = new double[d], accB = new double[d];
        for (int r = 0; r < rows; r++) {
            int xo = x.offset() + r * d, go = gy.offset() + r * d;
            double mu = ms.get(mean.offset() + r), rs1 = rs.get(rstd.offset() + r);
            double sumG = 0, sumGX = 0;
            for (int i = 0; i < d; i++) {
                double xhat = (xs.get(xo + i) - mu) * rs1, g = gys.get(go + i);
                double gw1 = w == null ? 1 : h(w).get(w.offset() + i * w.strides()[0]);
                sumG += g * gw1;
                sumGX += g * gw1 * xhat;
                accW[i] += g * xhat;
                accB[i] += g;
            }
            for (int i = 0; i < d; i++) {
                double xhat = (xs.get(xo + i) - mu) * rs1;
                double gw1 = w == null ? 1 : h(w).get(w.offset() + i * w.strides()[0]);
                gxs.set(gx.offset() + r * d + i, rs1 * (gys.get(go + i) * gw1 - sumG / d - xhat * sumGX / d));
            }
        }
        if (gw != null) for (int i = 0; i < d; i++) h(gw).set(gw.offset() + i, accW[i]);
        if (gb != null) for (int i = 0; i < d; i++) h(gb).set(gb.offset() + i, accB[i]);
    }
}
