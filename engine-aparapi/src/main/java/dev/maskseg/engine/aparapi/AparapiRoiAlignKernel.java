package dev.maskseg.engine.aparapi;

/**
 * Device code of the RoIAlign family, host side {@link AparapiRoiAlign}: the separable weights of every box (in the d
 * arena) applied to float32 NCHW features. meta: C H W ph pw ny nx features out batch invCount yStart yLen yW xStart
 * xLen xW K.
 */
abstract class AparapiRoiAlignKernel extends AparapiIndexKernel {

    /** Output element i of [K, C, ph, pw]. */
    void roiAlignAt(int i) {
        int c = meta[0], h = meta[1], w = meta[2], ph = meta[3], pw = meta[4], ny = meta[5], nx = meta[6];
        int px = i % pw, py = (i / pw) % ph, ch = (i / (pw * ph)) % c, r = i / (pw * ph * c);
        int plane = meta[7] + ((int) d[meta[9] + r] * c + ch) * h * w;
        int ay = r * ph + py, ax = r * pw + px;
        int ys = (int) d[meta[11] + ay], yl = (int) d[meta[12] + ay], xs = (int) d[meta[14] + ax], xl = (int) d[meta[15] + ax];
        double acc = 0;
        for (int ty = 0; ty < yl; ty++) {
            double wy = d[meta[13] + ay * ny + ty];
            int row = plane + (ys + ty) * w + xs;
            for (int tx = 0; tx < xl; tx++) acc += wy * d[meta[16] + ax * nx + tx] * f[row + tx];
        }
        f[meta[8] + i] = (float) (acc * d[meta[10] + r]);
    }

    /** Backward for feature row q of [N, C, H] (its W elements): every box of its image that reads the row. */
    void roiAlignBackwardRow(int q) {
        int c = meta[0], h = meta[1], w = meta[2], ph = meta[3], pw = meta[4], ny = meta[5], nx = meta[6], k = meta[17];
        int row = q % h, ch = (q / h) % c, b = q / (h * c), rowAt = meta[7] + q * w;
        for (int r = 0; r < k; r++) {
            if ((int) d[meta[9] + r] == b) {
                double inv = d[meta[10] + r];
                for (int py = 0; py < ph; py++) {
                    int ay = r * ph + py, t = row - (int) d[meta[11] + ay];
                    if (t >= 0 && t < (int) d[meta[12] + ay]) {
                        double wy = d[meta[13] + ay * ny + t] * inv;
                        int gBase = meta[8] + ((r * c + ch) * ph + py) * pw;
                        for (int px = 0; px < pw; px++) {
                            int ax = r * pw + px, xs = (int) d[meta[14] + ax], xl = (int) d[meta[15] + ax];
                            double g = f[gBase + px] * wy;
                            for (int tx = 0; tx < xl; tx++) {
                                int at = rowAt + xs + tx;
                                f[at] = (float) (f[at] + g * d[meta[16] + ax * nx + tx]);
                            }
                        }
                    }
                }
            }
        }
    }
}
