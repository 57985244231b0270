package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.backend.View;

import static dev.maskseg.engine.aparapi.ArenaKernel.*;

/** Host side of the normalization family: softmax and layer norm forward and backward; device code in {@link AparapiNormKernel}. */
final class AparapiNorm extends DeviceOps {
    AparapiNorm(AparapiBackend be) {
        super(be);
    }

    private static int rows(View x) {
        int d = x.shape()[x.rank() - 1];
        return d == 0 ? 0 : x.numel() / d;
    }

    void softmax(View x, View out, boolean log) {
        requireF32("softmax", x, out);
        x = dense(x);
        int[] m = l.meta();
        m[0] = x.shape()[x.rank() - 1];
        m[1] = Launcher.at(x);
        m[2] = Launcher.at(out);
        l.launch(OP_SOFTMAX, log ? 1 : 0, rows(x));
    }

    void layerNorm(View x, View w, View b, double eps, View out, View mean, View rstd) {
        requireF32("layer_norm", x, w, b, out, mean, rstd);
        x = dense(x);
        int[] m = l.meta();
        int[] v = {x.shape()[x.rank() - 1], Launcher.at(x), w == null ? -1 : Launcher.at(w), w == null ? 0 : w.strides()[0],
                b == null ? -1 : Launcher.at(b), b == null ? 0 : b.strides()[0], Launcher.at(out), Launcher.at(mean), Launcher.at(rstd)};
        System.arraycopy(v, 0, m, 0, v.length);
        l.k.p1 = eps;
        l.launch(OP_LAYERNORM, 0, rows(x));
    }

    void layerNormBackward(View gy, View x, View w, View mean, View rstd, View gx, View gw, View gb) {
        requireF32("layer_norm backward", gy, x, w, mean, rstd, gx, gw, gb);
        gy = dense(gy);
        x = dense(x);
        int d = x.shape()[x.rank() - 1];
        int[] v = {d, rows(x), Launcher.at(gy), Launcher.at(x), w == null ? -1 : Launcher.at(w), w == null ? 0 : w.strides()[0],
                Launcher.at(mean), Launcher.at(rstd), Launcher.at(gx), gw == null ? -1 : Launcher.at(gw), gb == null ? -1 : Launcher.at(gb)};
        System.arraycopy(v, 0, l.meta(), 0, v.length);
        l.launch(OP_LN_BWD_X, 0, rows(x));
        if (gw != null || gb != null) {
            System.arraycopy(v, 0, l.meta(), 0, v.length);
            l.launch(OP_LN_BWD_WB, 0, d);
        }
    }
}
