package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.ConvShape;
import dev.maskseg.engine.backend.View;

import static dev.maskseg.engine.aparapi.ArenaKernel.*;

/**
 * Host side of the convolution family: conv2d forward and backward as im2col + GEMM per image (1x1 stride-1
 * convolutions read the input directly); device code in {@link AparapiConvKernel}.
 */
final class AparapiConv extends DeviceOps {
    private final AparapiLinAlg linAlg;

    AparapiConv(AparapiBackend be, AparapiLinAlg linAlg) {
        super(be);
        this.linAlg = linAlg;
    }

    private void colMeta(ConvShape g, ConvParams p, int image, int col) {
        int[] m = l.meta();
        int[] v = {g.cin(), g.h(), g.w(), g.kh(), g.kw(), p.strideH(), p.strideW(), p.padH(), p.padW(),
                p.dilationH(), p.dilationW(), g.oh(), g.ow(), image, col};
        System.arraycopy(v, 0, m, 0, v.length);
    }

    /** The im2col matrix of image b ([Cin*kh*kw, OH*OW] offset), or the image itself for 1x1 convs. */
    private int columns(ConvShape g, ConvParams p, int xAt, View col) {
        if (g.pointwise(p)) return xAt;
        colMeta(g, p, xAt, Launcher.at(col));
        l.launch(OP_IM2COL, 0, g.cin() * g.kh() * g.kw() * g.pix());
        return Launcher.at(col);
    }

    void conv2d(View x, View w, View bias, ConvParams p, View out) {
        requireF32("conv2d", x, w, bias, out);
        x = dense(x);
        w = dense(w);
        ConvShape g = ConvShape.of(x, w, out, p);
        View col = g.pointwise(p) ? null : temp(g.cin() * g.kh() * g.kw(), g.pix());
        int xImage = g.cin() * g.h() * g.w(), yImage = g.cout() * g.pix();
        for (int b = 0; b < g.n(); b++) {
            int cols = columns(g, p, Launcher.at(x) + b * xImage, col);
            linAlg.gemm(g.coutG(), g.pix(), g.kdim(), Launcher.at(w), g.kdim(), 1, cols, g.pix(), 1,
                    Launcher.at(out) + b * yImage, g.pix(), 1, false, g.groups(), g.coutG() * g.kdim(), g.kdim() * g.pix(), g.coutG() * g.pix());
        }
        if (bias != null) {
            int[] shape = {g.n(), g.cout(), g.pix()};
            View o = new View(out.storage(), out.offset(), shape, View.contiguousStrides(shape));
            View bv = new View(bias.storage(), bias.offset(), shape, new int[]{0, bias.strides()[0], 0});
            l.strided(shape, o, bv, o);
            l.launch(OP_BINARY, 0, o.numel());
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
            int gxAt = Launcher.at(gx) + b * xImage;
            int target = direct ? gxAt : Launcher.at(col);
            linAlg.gemm(g.kdim(), g.pix(), g.coutG(), Launcher.at(w), 1, g.kdim(), Launcher.at(gy) + b * yImage, g.pix(), 1,
                    target, g.pix(), 1, false, g.groups(), g.coutG() * g.kdim(), g.coutG() * g.pix(), g.kdim() * g.pix());
            if (!direct) {
                colMeta(g, p, gxAt, Launcher.at(col));
                l.launch(OP_COL2IM, 0, xImage);
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
            int cols = columns(g, p, Launcher.at(x) + b * xImage, col);
            linAlg.gemm(g.coutG(), g.kdim(), g.pix(), Launcher.at(gy) + b * yImage, g.pix(), 1, cols, 1, g.pix(),
                    Launcher.at(gw), g.kdim(), 1, b > 0, g.groups(), g.coutG() * g.pix(), g.kdim() * g.pix(), g.coutG() * g.kdim());
        }
        if (g.n() == 0) zero(gw);
    }
}
