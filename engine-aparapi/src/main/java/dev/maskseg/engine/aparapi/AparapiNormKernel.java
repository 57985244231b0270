package dev.maskseg.engine.aparapi;

/**
 * Device code of the normalization family: softmax / log-softmax and layer norm forward and backward over contiguous
 * float32 rows; host side {@link AparapiNorm}.
 */
abstract class AparapiNormKernel extends AparapiConvKernel {
    void softmaxRow(int r) {
        int dd = meta[0], xo = meta[1] + r * dd, oo = meta[2] + r * dd;
        double mx = f[xo];
        for (int i = 1; i < dd; i++) mx = max(mx, (double) f[xo + i]);
        double sum = 0;
        for (int i = 0; i < dd; i++) sum += exp(f[xo + i] - mx);
        double logSum = log(sum);
        for (int i = 0; i < dd; i++) {
            double z = f[xo + i] - mx;
            f[oo + i] = (float) (sub == 1 ? z - logSum : exp(z) / sum);
        }
    }

    /** meta: d, x, w (-1 none), wStride, b (-1 none), bStride, out, mean, rstd; p1 = eps. */
    void layerNormRow(int r) {
        int dd = meta[0], xo = meta[1] + r * dd, oo = meta[6] + r * dd;
        double mu = 0;
        for (int i = 0; i < dd; i++) mu += f[xo + i];
        mu /= dd;
        double var = 0;
        for (int i = 0; i < dd; i++) {
            double t = f[xo + i] - mu;
            var += t * t;
        }
        double rs = 1.0 / sqrt(var / dd + p1);
        f[meta[7] + r] = (float) mu;
        f[meta[8] + r] = (float) rs;
        for (int i = 0; i < dd; i++) {
            double y = (f[xo + i] - mu) * rs;
            if (meta[2] >= 0) y *= f[meta[2] + i * meta[3]];
            if (meta[4] >= 0) y += f[meta[4] + i * meta[5]];
            f[oo + i] = (float) y;
        }
    }

    /** meta: d, rows, gy, x, w (-1 none), wStride, mean, rstd, gx, gw (-1 none), gb (-1 none). */
    void layerNormBackwardRow(int r) {
        int dd = meta[0], xo = meta[3] + r * dd, go = meta[2] + r * dd;
        double mu = f[meta[6] + r], rs = f[meta[7] + r];
        double sumG = 0, sumGX = 0;
        for (int i = 0; i < dd; i++) {
            double xhat = (f[xo + i] - mu) * rs, g = f[go + i];
            double w = meta[4] >= 0 ? f[meta[4] + i * meta[5]] : 1.0;
            sumG += g * w;
            sumGX += g * w * xhat;
        }
        for (int i = 0; i < dd; i++) {
            double xhat = (f[xo + i] - mu) * rs;
            double w = meta[4] >= 0 ? f[meta[4] + i * meta[5]] : 1.0;
            f[meta[8] + r * dd + i] = (float) (rs * (f[go + i] * w - sumG / dd - xhat * sumGX / dd));
        }
    }

    void layerNormBackwardColumn(int i) {
        int dd = meta[0], rows = meta[1];
        double accW = 0, accB = 0;
        for (int r = 0; r < rows; r++) {
            double g = f[meta[2] + r * dd + i];
            accW += g * (f[meta[3] + r * dd + i] - f[meta[6] + r]) * f[meta[7] + r];
            accB += g;
        }
        if (meta[9] >= 0) f[meta[9] + i] = (float) accW;
        if (meta[10] >= 0) f[meta[10] + i] = (float) accB;
    }
}
