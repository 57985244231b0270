package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.View;

import static dev.maskseg.engine.tornado.TornadoNormKernel.LOCAL;

/** Host side of the normalization family: softmax and layer norm forward and backward; device code in {@link TornadoNormKernel}. */
final class TornadoNorm extends DeviceOps {
    TornadoNorm(DeviceArena arena) {
        super(arena);
    }

    private static int rows(View x) {
        int d = x.shape()[x.rank() - 1];
        return d == 0 ? 0 : x.numel() / d;
    }

    private static int len(View x) { return x.shape()[x.rank() - 1]; }

    void softmax(View x, View out, boolean log) {
        requireF32("softmax", x, out);
        x = dense(x);
        args(meta(), len(x), at(x), at(out), log ? 1 : 0);
        launchGroups(Kernel.SOFTMAX, rows(x), reductionGroup(len(x), LOCAL));
    }

    void layerNorm(View x, View w, View b, double eps, View out, View mean, View rstd) {
        requireF32("layer_norm", x, w, b, out, mean, rstd);
        x = dense(x);
        args(meta(), len(x), at(x), w == null ? -1 : at(w), w == null ? 0 : w.strides()[0], b == null ? -1 : at(b),
                b == null ? 0 : b.strides()[0], at(out), at(mean), at(rstd));
        plan().params.set(0, eps);
        launchGroups(Kernel.LAYER_NORM, rows(x), reductionGroup(len(x), LOCAL));
    }

    void layerNormBackward(View gy, View x, View w, View mean, View rstd, View gx, View gw, View gb) {
        requireF32("layer_norm backward", gy, x, w, mean, rstd, gx, gw, gb);
        gy = dense(gy);
        x = dense(x);
        int d = len(x), rows = rows(x);
        int[] v = {d, rows, at(gy), at(x), w == null ? -1 : at(w), w == null ? 0 : w.strides()[0], at(mean), at(rstd),
                at(gx), gw == null ? -1 : at(gw), gb == null ? -1 : at(gb)};
        args(meta(), v);
        launchGroups(Kernel.LAYER_NORM_BACKWARD_X, rows, reductionGroup(d, LOCAL));
        if (gw != null || gb != null) {
            args(meta(), v);
            launchGroups(Kernel.LAYER_NORM_BACKWARD_WB, d, reductionGroup(rows, LOCAL));
        }
    }
}
