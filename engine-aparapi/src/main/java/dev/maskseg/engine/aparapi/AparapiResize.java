package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.ResizeParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.RefResize;
import dev.maskseg.engine.storage.HostStorage;

import java.util.Arrays;

import static dev.maskseg.engine.aparapi.ArenaKernel.*;

/**
 * Host side of the resize family: the reference's taps, uploaded to the double arena, applied by
 * {@link AparapiResizeKernel}.
 */
final class AparapiResize extends DeviceOps {
    AparapiResize(AparapiBackend be) {
        super(be);
    }

    private int uploadDoubles(double[] values) {
        AparapiStorage s = be.arena.allocate(DType.FLOAT64, values.length);
        be.upload(new HostStorage.F64(values), 0, s.offset, values.length);
        return s.offset;
    }

    /** in = x or gradInput (accumulated), out = y or gradOut. */
    void resize(View in, ResizeParams p, View out, boolean backward) {
        requireF32("interpolate", in, out);
        if (backward) out = dense(out);
        else in = dense(in);
        int ih = in.shape()[2], iw = in.shape()[3], oh = out.shape()[2], ow = out.shape()[3];
        RefResize.Taps ty = RefResize.taps(p.mode(), ih, oh, p.alignCorners(), p.scaleH());
        RefResize.Taps tx = RefResize.taps(p.mode(), iw, ow, p.alignCorners(), p.scaleW());
        int tyI = uploadDoubles(Arrays.stream(ty.index()).asDoubleStream().toArray()), tyW = uploadDoubles(ty.weight());
        int txI = uploadDoubles(Arrays.stream(tx.index()).asDoubleStream().toArray()), txW = uploadDoubles(tx.weight());
        int[] v = {ih, iw, oh, ow, ty.ntaps(), tx.ntaps(), tyI, tyW, txI, txW, Launcher.at(in), Launcher.at(out)};
        System.arraycopy(v, 0, l.meta(), 0, v.length);
        if (backward) l.launch(OP_RESIZE_BWD, 0, planes(in));
        else l.launch(OP_RESIZE, 0, out.numel());
    }
}
