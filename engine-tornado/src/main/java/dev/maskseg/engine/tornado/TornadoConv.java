package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.ConvShape;
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

    private void colArgs(ConvShape g, ConvParams p, int image, int col) {
        args(meta(), g.cin(), g.h(), g.w(), g.kh(), g.kw(), p.strideH(), p.strideW(), p.padH(), p.padW(),
                p.dilationH(), p.dilationW(), g.oh(), g.ow(), image, col);
    }

    /** The im2col matrix of one image ([Cin*kh*kw, OH*OW]) at the col view, or the image itself for 1x1 convs. */
    private int columns(ConvShape g, ConvParams p, int xAt, View col) {
        if (g.pointwise(p)) return xAt;
        colArgs(g, p, xAt, at(col));
        plan().meta.set(Meta.N, g.cin() * g.kh() * g.kw() * g.pix());
        plan().launch(Kernel.IM2COL, Math.ceilDiv(g.pix(), GROUP) * GROUP, g.cin() * g.kh() * g.kw(), 1, GROUP, 1, 1);
        return at(col);
    }

    void conv2d(View x, View w, View bias, ConvParams p, View out) {
        requireF32("conv2d", x, w, bias, out);
        x = dense(x);
        w = dense(w);
        ConvShape g = ConvShape.of(x, w, out, p);
        View col = g.pointwise(p) ? null : temp(g.cin() * g.kh() * g.kw(), g.pix());
        int xImage = g.cin() * g.h() * g.w(), yImage = g.cout() * g.pix();
        for (int b = 0; b < g.n(); b++) {
            int cols = columns(g, p, at(x) + b * xImage, col);
            linAlg.gemm(g.coutG(), g.pix(), g.kdim(), at(w), g.kdim(), 1, cols, g.pix(), 1, at(out) + b * yImage, g.pix(), 1,
                    false, g.groups(), g.coutG() * g.kdim(), g.kdim() * g.pix(), g.coutG() * g.pix());
        }
        if (bias != null) {
            int[] shape = {g.n(), g.cout(), g.pix()};
            View o = new View(out.storage(), out.offset(), shape, View.contiguousStrides(shape));
            View bv = new View(bias.storage(), bias.offset(), shape, new int[]{0, bias.strides()[0], 0});
            pointwise.binary(dev.maskseg.engine.backend.BinaryOp.ADD, o, bv, o);
        }
    }

    void conv2dBackwardInput(View gy, View w, ConvParams p, View gx) {
        requireF32("conv2d backward", gy, w, gx);
        gy = dense(gy);
        w = dense(w);
        ConvShape g = ConvShape.of(gx, w, gy, p);
        boolean direct = g.pointwise(p);
        View col = direct ? null : temp(g.cin() * g.kh() * g.kw(), g.pix());
        int xImage = g.cin() * g.h() * g.w(), yImage = g.cout() * g.pix();
        for (int b = 0; b < g.n(); b++) {
            int gxAt = at(gx) + b * xImage;
            int target = direct ? gxAt : at(col);
            linAlg.gemm(g.kdim(), g.pix(), g.coutG(), at(w), 1, g.kdim(), at(gy) + b * yImage, g.pix(), 1, target, g.pix(), 1,
                    false, g.groups(), g.coutG() * g.kdim(), g.coutG() * g.pix(), g.kdim() * g.pix());
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
        ConvShape g = ConvShape.of(x, gw, gy, p);
        View col = g.pointwise(p) ? null : temp(g.cin() * g.kh() * g.kw(), g.pix());
        int xImage = g.cin() * g.h() * g.w(), yImage = g.cout() * g.pix();
        for (int b = 0; b < g.n(); b++) {
            int cols = columns(g, p, at(x) + b * xImage, col);
            linAlg.gemm(g.coutG(), g.kdim(), g.pix(), at(gy) + b * yImage, g.pix(), 1, cols, 1, g.pix(), at(gw), g.kdim(), 1,
                    b > 0, g.groups(), g.coutG() * g.pix(), g.kdim() * g.pix(), g.coutG() * g.kdim());
        }
        if (g.n() == 0) zero(gw);
    }
}
