package dev.maskseg.engine.ops;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.backend.ResizeParams;
import dev.maskseg.engine.backend.ResizeParams.Mode;

/** F.interpolate for NCHW tensors: nearest, bilinear and bicubic, by size or by scale factor. */
public final class Resize {
    private Resize() {}

    /** Resize to an explicit size (the source coordinate uses in/out). */
    public static Tensor interpolate(Tensor x, int outH, int outW, Mode mode, boolean alignCorners) {
        return run(x, outH, outW, new ResizeParams(mode, alignCorners, 0, 0));
    }

    /**
     * Resize by scale factors: the output is floor(in * scale) and, as in PyTorch, the given scale
     * (not out/in) sets the source coordinate unless alignCorners.
     */
    public static Tensor interpolateScale(Tensor x, double scaleH, double scaleW, Mode mode, boolean alignCorners) {
        int oh = (int) Math.floor(x.size(2) * scaleH), ow = (int) Math.floor(x.size(3) * scaleW);
        return run(x, oh, ow, new ResizeParams(mode, alignCorners, scaleH, scaleW));
    }

    private static Tensor run(Tensor x, int oh, int ow, ResizeParams p) {
        Pool.check4d("interpolate", x);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("interpolate: output size " + oh + "x" + ow + " for input " + x.shapeString());
        if (p.mode() == Mode.NEAREST && p.alignCorners()) {
            throw new IllegalArgumentException("interpolate: align_corners only applies to bilinear and bicubic");
        }
        Tensor out = Tensor.empty(x.backend(), x.dtype(), x.size(0), x.size(1), oh, ow);
        x.backend().interpolate(x.contiguous().view(), p, out.view());
        return Autograd.record("interpolate_" + p.mode().name().toLowerCase(), out, g -> {
            Tensor gx = Tensor.zeros(g.dtype(), x.shape()).to(g.backend());
            g.backend().interpolateBackward(g.contiguous().view(), p, gx.view());
            return new Tensor[]{gx};
        }, x);
    }
}
