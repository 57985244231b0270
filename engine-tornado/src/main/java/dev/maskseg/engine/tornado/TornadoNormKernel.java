package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.Meta.*;

/**
 * Device code of the normalization family over contiguous float32 rows, one work-group per row (per column for layer
 * norm's weight and bias gradients): each work-item folds a strided share in double precision, then a tree in local
 * memory combines the partials; host side {@link TornadoNorm}. The tree loops are written out in each kernel: TornadoVM
 * 5.2 addresses a local array passed to a helper method as if it were a global Java array (with its header offset).
 */
final class TornadoNormKernel {
    /** Largest work-group (the local arrays' size). */
    static final int LOCAL = 128;
    /** Softmax: row length, x, out, log flag. */
    static final int LEN = ARG, X = ARG + 1, OUT = ARG + 2, LOG = ARG + 3;
    /** Layer norm forward: row length, x, weight (-1: none), its stride, bias (-1: none), its stride, out, mean, rstd. */
    static final int LN_W = ARG + 2, LN_WS = ARG + 3, LN_B = ARG + 4, LN_BS = ARG + 5, LN_OUT = ARG + 6, LN_MEAN = ARG + 7,
            LN_RSTD = ARG + 8;
    /** Layer norm backward: row length, rows, gy, x, weight (-1), its stride, mean, rstd, gx, gw (-1), gb (-1). */
    static final int BW_ROWS = ARG + 1, BW_GY = ARG + 2, BW_X = ARG + 3, BW_W = ARG + 4, BW_WS = ARG + 5, BW_MEAN = ARG + 6,
            BW_RSTD = ARG + 7, BW_GX = ARG + 8, BW_GW = ARG + 9, BW_GB = ARG + 10;

    private TornadoNormKernel() {}

    static void softmax(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        double[] red = kc.allocateDoubleLocalArray(LOCAL);
        int r = kc.groupIdx, lid = kc.localIdx, ls = kc.localGroupSizeX;
        int len = m.get(LEN), xo = m.get(X) + r * len, oo = m.get(OUT) + r * len;
        double mx = Double.NEGATIVE_INFINITY;
        for (int i = lid; i < len; i += ls) mx = Math.max(mx, f.get(xo + i));
        red[lid] = mx;
        for (int s = ls / 2; s > 0; s /= 2) {
            kc.localBarrier();
            if (lid < s) red[lid] = Math.max(red[lid], red[lid + s]);
        }
        kc.localBarrier();
        mx = red[0];
        kc.localBarrier();
        double sum = 0;
        for (int i = lid; i < len; i += ls) sum += Math.exp(f.get(xo + i) - mx);
        red[lid] = sum;
        for (int s = ls / 2; s > 0; s /= 2) {
            kc.localBarrier();
            if (lid < s) red[lid] = red[lid] + red[lid + s];
        }
        kc.localBarrier();
        sum = red[0];
        double logSum = Math.log(sum);
        boolean log = m.get(LOG) != 0;
        for (int i = lid; i < len; i += ls) {
            double z = f.get(xo + i) - mx;
            if (log) f.set(oo + i, (float) (z - logSum));
            else f.set(oo + i, (float) (Math.exp(z) / sum));
        }
    }

    static void layerNorm(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        double[] red = kc.allocateDoubleLocalArray(LOCAL);
        int r = kc.groupIdx, lid = kc.localIdx, ls = kc.localGroupSizeX;
        int len = m.get(LEN), xo = m.get(X) + r * len, oo = m.get(LN_OUT) + r * len;
        double sum = 0;
        for (int i = lid; i < len; i += ls) sum += f.get(xo + i);
        red[lid] = sum;
        for (int s = ls / 2; s > 0; s /= 2) {
            kc.localBarrier();
            if (lid < s) red[lid] = red[lid] + red[lid + s];
        }
        kc.localBarrier();
        double mu = red[0] / len;
        kc.localBarrier();
        double v = 0;
        for (int i = lid; i < len; i += ls) {
            double t = f.get(xo + i) - mu;
            v += t * t;
        }
        red[lid] = v;
        for (int s = ls / 2; s > 0; s /= 2) {
            kc.localBarrier();
            if (lid < s) red[lid] = red[lid] + red[lid + s];
        }
        kc.localBarrier();
        double rs = 1.0 / Math.sqrt(red[0] / len + p.get(0));
        if (lid == 0) {
            f.set(m.get(LN_MEAN) + r, (float) mu);
            f.set(m.get(LN_RSTD) + r, (float) rs);
        }
        int w = m.get(LN_W), b = m.get(LN_B), ws = m.get(LN_WS), bs = m.get(LN_BS);
        for (int i = lid; i < len; i += ls) {
            double y = (f.get(xo + i) - mu) * rs;
            if (w >= 0) y *= f.get(w + i * ws);
            if (b >= 0) y += f.get(b + i * bs);
            f.set(oo + i, (float) y);
        }
    }

    static void layerNormBackwardX(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        double[] red = kc.allocateDoubleLocalArray(LOCAL);
        double[] red2 = kc.allocateDoubleLocalArray(LOCAL);
        int r = kc.groupIdx, lid = kc.localIdx, ls = kc.localGroupSizeX;
        int len = m.get(LEN), xo = m.get(BW_X) + r * len, go = m.get(BW_GY) + r * len;
        int w = m.get(BW_W), ws = m.get(BW_WS);
        double mu = f.get(m.get(BW_MEAN) + r), rs = f.get(m.get(BW_RSTD) + r);
        double sumG = 0, sumGX = 0;
        for (int i = lid; i < len; i += ls) {
            double xhat = (f.get(xo + i) - mu) * rs;
            double g = f.get(go + i);
            if (w >= 0) g *= f.get(w + i * ws);
            sumG += g;
            sumGX += g * xhat;
        }
        red[lid] = sumG;
        red2[lid] = sumGX;
        for (int s = ls / 2; s > 0; s /= 2) {
            kc.localBarrier();
            if (lid < s) {
                red[lid] = red[lid] + red[lid + s];
                red2[lid] = red2[lid] + red2[lid + s];
            }
        }
        kc.localBarrier();
        sumG = red[0] / len;
        sumGX = red2[0] / len;
        int gx = m.get(BW_GX) + r * len;
        for (int i = lid; i < len; i += ls) {
            double xhat = (f.get(xo + i) - mu) * rs;
            double g = f.get(go + i);
            if (w >= 0) g *= f.get(w + i * ws);
            f.set(gx + i, (float) (rs * (g - sumG - xhat * sumGX)));
        }
    }

    /** One work-group per column i: gw[i] = sum over rows of gy * xhat, gb[i] = sum of gy. */
    static void layerNormBackwardWeightBias(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        double[] red = kc.allocateDoubleLocalArray(LOCAL);
        double[] red2 = kc.allocateDoubleLocalArray(LOCAL);
        int i = kc.groupIdx, lid = kc.localIdx, ls = kc.localGroupSizeX;
        int len = m.get(LEN), rows = m.get(BW_ROWS), gy = m.get(BW_GY), x = m.get(BW_X), mean = m.get(BW_MEAN), rstd = m.get(BW_RSTD);
        double accW = 0, accB = 0;
        for (int r = lid; r < rows; r += ls) {
            double g = f.get(gy + r * len + i);
            accW += g * (f.get(x + r * len + i) - f.get(mean + r)) * f.get(rstd + r);
            accB += g;
        }
        red[lid] = accW;
        red2[lid] = accB;
        for (int s = ls / 2; s > 0; s /= 2) {
            kc.localBarrier();
            if (lid < s) {
                red[lid] = red[lid] + red[lid + s];
                red2[lid] = red2[lid] + red2[lid + s];
            }
        }
        if (lid == 0) {
            if (m.get(BW_GW) >= 0) f.set(m.get(BW_GW) + i, (float) red[0]);
            if (m.get(BW_GB) >= 0) f.set(m.get(BW_GB) + i, (float) red2[0]);
        }
    }
}
