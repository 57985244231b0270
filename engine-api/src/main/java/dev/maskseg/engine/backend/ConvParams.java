package dev.maskseg.engine.backend;

/** Geometry of a 2-D convolution (NCHW input, [Cout, Cin/groups, kh, kw] weight). */
public record ConvParams(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {

    public int outSize(int in, int kernel, boolean height) {
        int pad = height ? padH : padW, dil = height ? dilationH : dilationW, str = height ? strideH : strideW;
        return (in + 2 * pad - dil * (kernel - 1) - 1) / str + 1;
    }
}
