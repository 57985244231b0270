package dev.maskseg.engine.aparapi;

/**
 * Device code of the resize family: nearest/bilinear/bicubic with precomputed taps, and the backward; host side {@link
 * AparapiResize}.
 */
abstract class AparapiResizeKernel extends AparapiPoolKernel {
    // resize with precomputed taps (in the d arena): meta ih iw oh ow ny nx tyI tyW txI txW in out

    void resizeAt(int i) {
        int ih = meta[0], iw = meta[1], oh = meta[2], ow = meta[3], ny = meta[4], nx = meta[5];
        int pl = i / (oh * ow), oy = (i / ow) % oh, ox = i % ow, ib = meta[10] + pl * ih * iw;
        double acc = 0;
        for (int a = 0; a < ny; a++) {
            int sy = (int) d[meta[6] + oy * ny + a];
            double wy = d[meta[7] + oy * ny + a];
            for (int b = 0; b < nx; b++) {
                acc += wy * d[meta[9] + ox * nx + b] * f[ib + sy * iw + (int) d[meta[8] + ox * nx + b]];
            }
        }
        f[meta[11] + i] = (float) acc;
    }

    /** Backward: in slot = gradInput (accumulated), out slot = gradOut. */
    void resizeBackwardPlane(int pl) {
        int ih = meta[0], iw = meta[1], oh = meta[2], ow = meta[3], ny = meta[4], nx = meta[5];
        int ib = meta[10] + pl * ih * iw;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                double g = f[meta[11] + (pl * oh + oy) * ow + ox];
                for (int a = 0; a < ny; a++) {
                    int sy = (int) d[meta[6] + oy * ny + a];
                    double wy = d[meta[7] + oy * ny + a];
                    for (int b = 0; b < nx; b++) {
                        int at = ib + sy * iw + (int) d[meta[8] + ox * nx + b];
                        f[at] = (float) (f[at] + wy * d[meta[9] + ox * nx + b] * g);
                    }
                }
            }
        }
    }
}
