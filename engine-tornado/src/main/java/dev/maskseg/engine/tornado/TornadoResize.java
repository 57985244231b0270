package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.ResizeParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.RefResize;

import java.util.Arrays;

import static dev.maskseg.engine.tornado.TornadoResizeKernel.*;

/**
 * Host side of the resize family: the reference's taps ({@link RefResize#taps}), and for the backward their inverse
 * (per input position, the outputs that tap it), uploaded as lookup tables; device code in {@link TornadoResizeKernel}.
 */
final class TornadoResize extends DeviceOps {
    TornadoResize(DeviceArena arena) {
        super(arena);
    }

    private static RefResize.Taps taps(ResizeParams p, int in, int out, boolean height) {
        return RefResize.taps(p.mode(), in, out, p.alignCorners(), height ? p.scaleH() : p.scaleW());
    }

    void interpolate(View x, ResizeParams p, View out) {
        requireF32("interpolate", x, out);
        x = dense(x);
        int ih = x.shape()[2], iw = x.shape()[3], oh = out.shape()[2], ow = out.shape()[3];
        RefResize.Taps ty = taps(p, ih, oh, true), tx = taps(p, iw, ow, false);
        int tyI = uploadTable(Arrays.stream(ty.index()).asDoubleStream().toArray()), tyW = uploadTable(ty.weight());
        int txI = uploadTable(Arrays.stream(tx.index()).asDoubleStream().toArray()), txW = uploadTable(tx.weight());
        args(meta(), ih, iw, oh, ow, at(x), at(out), ty.ntaps(), tx.ntaps(), tyI, tyW, txI, txW);
        launch(Kernel.RESIZE, out.numel());
    }

    /** For one axis: per input position the list of (output, weight) that tap it, as uploaded tables {start, out, weight}. */
    private int[] inverse(RefResize.Taps t, int in, int out) {
        int nt = t.ntaps();
        double[] start = new double[in + 1];
        for (int e = 0; e < out * nt; e++) start[t.index()[e] + 1]++;
        for (int i = 0; i < in; i++) start[i + 1] += start[i];
        double[] outs = new double[out * nt], weights = new double[out * nt];
        int[] fill = new int[in];
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < nt; k++) {
                int src = t.index()[o * nt + k], at = (int) start[src] + fill[src]++;
                outs[at] = o;
                weights[at] = t.weight()[o * nt + k];
            }
        }
        return new int[]{uploadTable(start), uploadTable(outs), uploadTable(weights)};
    }

    /** Accumulates into gradInput. */
    void interpolateBackward(View gradOut, ResizeParams p, View gradInput) {
        requireF32("interpolate backward", gradOut, gradInput);
        gradOut = dense(gradOut);
        int ih = gradInput.shape()[2], iw = gradInput.shape()[3], oh = gradOut.shape()[2], ow = gradOut.shape()[3];
        int[] y = inverse(taps(p, ih, oh, true), ih, oh), x = inverse(taps(p, iw, ow, false), iw, ow);
        args(meta(), ih, iw, oh, ow, at(gradInput), at(gradOut), y[0], y[1], y[2], x[0], x[1], x[2]);
        launch(Kernel.RESIZE_BACKWARD, gradInput.numel());
    }
}
