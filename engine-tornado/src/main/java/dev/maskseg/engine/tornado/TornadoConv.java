package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.View;

/**
 * Host side of the convolution family: conv2d forward and both backwards as im2col + GEMM per image (1x1 stride-1
 * convolutions read the input directly, and their input gradient is the GEMM's output); device code in
 * {@link TornadoConvKernel} and {@link TornadoLinAlgKernel}.
 */
final class TornadoConv extends DeviceOps {
    private final TornadoLinAlg linAlg;
    private final TornadoPointwise pointwise;

    TornadoConv(DeviceArena arena, TornadoLinAlg linAlg, TornadoPointwise pointwise) {
        super(arena);
        this.linAlg = linAlg;
        this.pointwise = pointwise;
    }

    /** Geometry shared by the three convolution entry points. */
    private record Geo(int n, int cin, int h, int w, int cout, int cinG, int kh, int kw, int oh, int ow, int groups) {
        int kG() { return cinG * kh * kw; }
        int p() { return oh * ow; }
        int coutG() { return cout / groups; }
        int colRows() { return cin * kh * kw; }
        boolean pointwise(ConvParams c) {
            return kh == 1 && kw == 1 && c.strideH() == 1 && c.strideW() == 1 && c.padH() == 0 && c.padW() == 0;
        }
    }

    private static Geo geo(View x, View w, View y, ConvParams p) {
        return new Geo(x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3], w.shape()[0], w.shape()[1],
                w.shape()[2], w.shape()[3], y.shape()[2], y.shape()[3], p.groups());
    }

    private void colArgs(Geo g, ConvParams p, int image, int col) {
        args(meta(), g.cin(), g.h(), g.w(), g.kh(), g.kw(), p.strideH(), p.strideW(), p.padH(), p.padW(),
                p.dilationH(), p.dilationW(), g.oh(), g.ow(), image, col);
    }

    /** The im2col matrix of one image ([Cin*kh*kw, OH*OW]) at the col view, or the image itself for 1x1 convs. */
    private int columns(Geo g, ConvParams p, int xAt, View col) {
        if (g.pointwise(p)) return xAt;
        colArgs(g, p, xAt, at(col));
        plan().meta.set(Meta.N, g.colRows() * g.p());
        plan().launch(Kernel.IM2COL, Math.ceilDiv(g.p(), GROUP) * GROUP, g.colRows(), 1, GROUP, 1, 1);
        return at(col);
    }

    void conv2d(View x, View w, View bias, ConvParams p, View out) {
        requireF32("conv2d", x, w, bias, out);
        x = dense(x);
        w = dense(w);
        Geo g = geo(x, w, out, p);
        View col = g.pointwise(p) ? null : temp(g.colRows(), g.p());
        int xImage = g.cin() * g.h() * g.w(), yImage = g.cout() * g.p();
        for (int b = 0; b < g.n(); b++) {
            int cols = columns(g, p, at(x) + b * xImage, col);
            linAlg.gemm(g.coutG(), g.p(), g.kG(), at(w), g.kG(), 1, cols, g.p(), 1, at(out) + b * yImage, g.p(), 1,
                    false, g.groups(), g.coutG() * g.kG(), g.kG() * g.p(), g.coutG() * g.p());
        }
        if (bias != null) {
            int[] shape = {g.n(), g.cout(), g.p()};
            View o = new View(out.storage(), out.offset(), shape, View.contiguousStrides(shape));
            View bv = new View(bias.storage(), bias.offset(), shape, new int[]{0, bias.strides()[0], 0});
            pointwise.binary(dev.maskseg.engine.backend.BinaryOp.ADD, o, bv, o);
        }
    }

    void conv2dBackwardInput(View gy, View w, ConvParams p, View gx) {
        requireF32("conv2d backward", gy, w, gx);
        gy = dense(gy);
        w = dense(w);
        Geo g = geo(gx, w, gy, p);
        boolean direct = g.pointwise(p);
        View col = direct ? null : temp(g.colRows(), g.p());
        int xImage = g.cin() * g.h() * g.w(), yImage = g.cout() * g.p();
        for (int b = 0; b < g.n(); b++) {
            int gxAt = at(gx) + b * xImage;
            int target = direct ? gxAt : at(col);
            linAlg.gemm(g.kG(), g.p(), g.coutG(), at(w), 1, g.kG(), at(gy) + b * yImage, g.p(), 1, target, g.p(), 1,
                    false, g.groups(), g.coutG() * g.kG(), g.coutG() * g.p(), g.kG() * g.p());
            if (!direct) {
                colArgs(g, p, gxAt, at(col));
                launch(Kernel.COL2IM, xImage);
            }
        }
    }

    void conv2dBackwardWeight(View gy, View x, ConvParams p, View gw) {
        requireF32("conv2d backward", gy, x, gw);
        gy = dense(gy);
        x = dense(x);
        Geo g = geo(x, gw, gy, p);
        View col = g.pointwise(p) ? null : temp(g.colRows(), g.p());
        int xImage = g.cin() * g.h() * g.w(), yImage = g.cout() * g.p();
        for (int b = 0; b < g.n(); b++) {
            int cols = columns(g, p, at(x) + b * xImage, col);
            linAlg.gemm(g.coutG(), g.kG(), g.p(), at(gy) + b * yImage, g.p(), 1, cols, 1, g.p(), at(gw), g.kG(), 1,
                    b > 0, g.groups(), g.coutG() * g.p(), g.kG() * g.p(), g.coutG() * g.kG());
        }
        if (g.n() == 0) zero(gw);
    }
}
