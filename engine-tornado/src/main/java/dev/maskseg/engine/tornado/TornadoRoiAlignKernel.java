package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.Meta.*;

/**
 * Device code of the RoIAlign family over float32 NCHW features, applying the reference's separable weights (one table
 * in the double arena, its parts at the *_AT slots): forward one work-item per output element of [K, C, ph, pw],
 * backward one work-item per feature row of [N, C, H] gathering from every box of its image, so no two work-items
 * write one element. Host side {@link TornadoRoiAlign}.
 */
final class TornadoRoiAlignKernel {
    static final int C = ARG, H = ARG + 1, W = ARG + 2, PH = ARG + 3, PW = ARG + 4, NY = ARG + 5, NX = ARG + 6,
            FEATURES = ARG + 7, OUT = ARG + 8, ROIS = ARG + 9, BATCH_AT = ARG + 10, INV_AT = ARG + 11,
            Y_START_AT = ARG + 12, Y_LEN_AT = ARG + 13, Y_W_AT = ARG + 14, X_START_AT = ARG + 15, X_LEN_AT = ARG + 16,
            X_W_AT = ARG + 17;

    private TornadoRoiAlignKernel() {}

    /** out[r, ch, py, px] = Σ_ty Σ_tx yW · xW · f[batch(r), ch, yStart + ty, xStart + tx] / count(r). */
    static void forward(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int c = m.get(C), h = m.get(H), w = m.get(W), ph = m.get(PH), pw = m.get(PW), ny = m.get(NY), nx = m.get(NX);
            int px = i % pw, py = (i / pw) % ph, ch = (i / (pw * ph)) % c, r = i / (pw * ph * c);
            int plane = m.get(FEATURES) + ((int) d.get(m.get(BATCH_AT) + r) * c + ch) * h * w;
            int ay = r * ph + py, ax = r * pw + px;
            int ys = (int) d.get(m.get(Y_START_AT) + ay), yl = (int) d.get(m.get(Y_LEN_AT) + ay);
            int xs = (int) d.get(m.get(X_START_AT) + ax), xl = (int) d.get(m.get(X_LEN_AT) + ax);
            int yw = m.get(Y_W_AT) + ay * ny, xw = m.get(X_W_AT) + ax * nx;
            double acc = 0;
            for (int ty = 0; ty < yl; ty++) {
                double wy = d.get(yw + ty);
                int row = plane + (ys + ty) * w + xs;
                for (int tx = 0; tx < xl; tx++) acc += wy * d.get(xw + tx) * f.get(row + tx);
            }
            f.set(m.get(OUT) + i, (float) (acc * d.get(m.get(INV_AT) + r)));
        }
    }

    /** FEATURES = gradFeatures (accumulated, contiguous), OUT = gradOut: feature row q += every box's share. */
    static void backward(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int q = kc.globalIdx;
        if (q < m.get(N)) {
            int c = m.get(C), h = m.get(H), w = m.get(W), ph = m.get(PH), pw = m.get(PW), ny = m.get(NY), nx = m.get(NX);
            int k = m.get(ROIS);
            int row = q % h, ch = (q / h) % c, b = q / (h * c), rowAt = m.get(FEATURES) + q * w;
            for (int r = 0; r < k; r++) {
                if ((int) d.get(m.get(BATCH_AT) + r) == b) {
                    double inv = d.get(m.get(INV_AT) + r);
                    for (int py = 0; py < ph; py++) {
                        int ay = r * ph + py, t = row - (int) d.get(m.get(Y_START_AT) + ay);
                        if (t >= 0 && t < (int) d.get(m.get(Y_LEN_AT) + ay)) {
                            double wy = d.get(m.get(Y_W_AT) + ay * ny + t) * inv;
                            int g = m.get(OUT) + ((r * c + ch) * ph + py) * pw;
                            for (int px = 0; px < pw; px++) {
                                int ax = r * pw + px, xs = (int) d.get(m.get(X_START_AT) + ax);
                                int xl = (int) d.get(m.get(X_LEN_AT) + ax), xw = m.get(X_W_AT) + ax * nx;
                                double gy = f.get(g + px) * wy;
                                for (int tx = 0; tx < xl; tx++) {
                                    int at = rowAt + xs + tx;
                                    f.set(at, (float) (f.get(at) + gy * d.get(xw + tx)));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
