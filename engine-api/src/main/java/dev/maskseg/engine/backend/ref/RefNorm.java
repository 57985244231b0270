package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

import static dev.maskseg.engine.backend.ref.RefPointwise.h;

/** Row-wise softmax / log-softmax, layer norm and batch norm forward and backward, in double precision. */
final class RefNorm {
    private RefNorm() {}

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

    /** Element (i, ch, j) of an [N, C, S] view. */
    private static int at(View v, int i, int ch, int j) {
        return v.offset() + i * v.strides()[0] + ch * v.strides()[1] + j * v.strides()[2];
    }

    private static double perChannel(View v, int ch) { return h(v).get(v.offset() + ch * v.strides()[0]); }

    static void batchNormStats(View x, View mean, View var) {
        int n = x.shape()[0], c = x.shape()[1], s = x.shape()[2];
        HostStorage xs = h(x);
        for (int ch = 0; ch < c; ch++) {
            double mu = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) mu += xs.get(at(x, i, ch, j));
            mu /= (double) n * s;
            double v = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    double d = xs.get(at(x, i, ch, j)) - mu;
                    v += d * d;
                }
            }
            h(mean).set(mean.offset() + ch * mean.strides()[0], mu);
            h(var).set(var.offset() + ch * var.strides()[0], v / ((double) n * s));
        }
    }

    static void channelAffine(View x, View scale, View shift, boolean relu, View out) {
        int n = x.shape()[0], c = x.shape()[1], s = x.shape()[2];
        HostStorage xs = h(x), os = h(out);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                double a = perChannel(scale, ch), b = perChannel(shift, ch);
                for (int j = 0; j < s; j++) {
                    double y = xs.get(at(x, i, ch, j)) * a + b;
                    os.set(at(out, i, ch, j), relu ? Math.max(y, 0) : y);
                }
            }
        }
    }

    static void batchNormBackward(View gy, View reluOut, View x, View mean, View invstd, View scale, boolean training,
                                  View gx, View gw, View gb) {
        int n = x.shape()[0], c = x.shape()[1], s = x.shape()[2];
        double m = (double) n * s;
        HostStorage gys = h(gy), xs = h(x);
        for (int ch = 0; ch < c; ch++) {
            double mu = perChannel(mean, ch), is = perChannel(invstd, ch), sc = perChannel(scale, ch), sumG = 0, sumGX = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    double g = grad(gys, gy, reluOut, i, ch, j);
                    sumG += g;
                    sumGX += g * (xs.get(at(x, i, ch, j)) - mu) * is;
                }
            }
            if (gx != null) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < s; j++) {
                        double g = grad(gys, gy, reluOut, i, ch, j), xhat = (xs.get(at(x, i, ch, j)) - mu) * is;
                        h(gx).set(at(gx, i, ch, j), training ? sc * (g - sumG / m - xhat * sumGX / m) : sc * g);
                    }
                }
            }
            if (gw != null) h(gw).set(gw.offset() + ch * gw.strides()[0], sumGX);
            if (gb != null) h(gb).set(gb.offset() + ch * gb.strides()[0], sumG);
        }
    }

    private static double grad(HostStorage gys, View gy, View reluOut, int i, int ch, int j) {
        double g = gys.get(at(gy, i, ch, j));
        return reluOut == null || h(reluOut).get(at(reluOut, i, ch, j)) > 0 ? g : 0;
    }
}
