package dev.maskseg.engine.backend;

/**
 * The sizes of one convolution call, read from its NCHW input, [Cout, Cin/groups, kh, kw] weight and output views: what
 * every backend's convolution kernels index with (for the gradients, the views of the forward call they differentiate).
 */
public record ConvShape(int n, int cin, int h, int w, int cout, int kh, int kw, int oh, int ow, int groups) {
    public static ConvShape of(View x, View weight, View y, ConvParams p) {
        return new ConvShape(x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3], weight.shape()[0], weight.shape()[2],
                weight.shape()[3], y.shape()[2], y.shape()[3], p.groups());
    }

    public int cinG() { return cin / groups; }

    public int coutG() { return cout / groups; }

    /** Rows of one group's im2col matrix: cinG x kh x kw. */
    public int kdim() { return cinG() * kh * kw; }

    /** Output pixels per plane. */
    public int pix() { return oh * ow; }

    /** A 1x1, stride-1, unpadded convolution: a plain GEMM over the pixels. */
    public boolean pointwise(ConvParams p) {
        return kh == 1 && kw == 1 && p.strideH() == 1 && p.strideW() == 1 && p.padH() == 0 && p.padW() == 0;
    }
}
