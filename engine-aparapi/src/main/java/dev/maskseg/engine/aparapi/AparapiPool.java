package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.View;

import static dev.maskseg.engine.aparapi.ArenaKernel.*;

/** Host side of the pooling family: max, average and adaptive average pooling; device code in {@link AparapiPoolKernel}. */
final class AparapiPool extends DeviceOps {
    AparapiPool(AparapiBackend be) {
        super(be);
    }

    private void poolMeta(View in, View out, PoolParams p) {
        int[] v = {in.shape()[2], in.shape()[3], out.shape()[2], out.shape()[3], p.kernelH(), p.kernelW(), p.strideH(),
                p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW()};
        System.arraycopy(v, 0, l.meta(), 0, v.length);
    }

    void maxPool2d(View x, PoolParams p, View out, View indices) {
        requireF32("max_pool2d", x, out);
        x = dense(x);
        poolMeta(x, out, p);
        int[] m = l.k.meta;
        m[12] = Launcher.at(x);
        m[13] = Launcher.at(out);
        m[14] = Launcher.at(indices);
        l.launch(OP_MAXPOOL, 0, out.numel());
    }

    /** Forward: (x, out). Backward: (gradOut, gradInput), accumulating into gradInput. */
    void avgPool2d(View src, PoolParams p, View dst, boolean backward) {
        requireF32("avg_pool2d", src, dst);
        src = dense(src);
        View in = backward ? dst : src, out = backward ? src : dst;
        poolMeta(in, out, p);
        int[] m = l.k.meta;
        m[12] = Launcher.at(src);
        m[13] = Launcher.at(dst);
        m[15] = p.countIncludePad() ? 1 : 0;
        if (backward) l.launch(OP_AVGPOOL_BWD, 0, planes(in));
        else l.launch(OP_AVGPOOL, 0, out.numel());
    }

    /** in = x or gradInput, out = y or gradOut. */
    void adaptive(View in, View out, boolean backward) {
        requireF32("adaptive_avg_pool2d", in, out);
        if (backward) out = dense(out);
        else in = dense(in);
        int[] m = l.meta();
        int[] v = {in.shape()[2], in.shape()[3], out.shape()[2], out.shape()[3], Launcher.at(in), Launcher.at(out)};
        System.arraycopy(v, 0, m, 0, v.length);
        l.launch(backward ? OP_ADAPTIVE_BWD : OP_ADAPTIVE, 0, planes(in));
    }
}
