package dev.maskseg.engine.aparapi;

/**
 * Device code of the convolution family: im2col and col2im of one image (the GEMMs are {@link AparapiLinAlgKernel}'s);
 * host side {@link AparapiConv}.
 */
abstract class AparapiConvKernel extends AparapiLinAlgKernel {
    // meta: C H W kh kw sh sw ph pw dh dw OH OW x col

    void im2colAt(int i) {
        int ohw = meta[11] * meta[12], p = i % ohw, row = i / ohw;
        int kw = meta[4], kh = meta[3];
        int c = row / (kh * kw), ki = (row / kw) % kh, kj = row % kw;
        int oy = p / meta[12], ox = p % meta[12];
        int iy = oy * meta[5] - meta[7] + ki * meta[9], ix = ox * meta[6] - meta[8] + kj * meta[10];
        float v = 0f;
        if (iy >= 0 && iy < meta[1] && ix >= 0 && ix < meta[2]) v = f[meta[13] + (c * meta[1] + iy) * meta[2] + ix];
        f[meta[14] + i] = v;
    }

    void col2imAt(int i) {
        int hh = meta[1], ww = meta[2], kh = meta[3], kw = meta[4], oh = meta[11], ow = meta[12];
        int c = i / (hh * ww), iy = (i / ww) % hh, ix = i % ww;
        float acc = 0f;
        for (int ki = 0; ki < kh; ki++) {
            int ty = iy + meta[7] - ki * meta[9];
            if (ty >= 0 && ty % meta[5] == 0 && ty / meta[5] < oh) {
                for (int kj = 0; kj < kw; kj++) {
                    int tx = ix + meta[8] - kj * meta[10];
                    if (tx >= 0 && tx % meta[6] == 0 && tx / meta[6] < ow) {
                        acc += f[meta[14] + ((c * kh + ki) * kw + kj) * oh * ow + (ty / meta[5]) * ow + tx / meta[6]];
                    }
                }
            }
        }
        f[meta[13] + i] = acc;
    }
}
