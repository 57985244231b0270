package dev.maskseg.engine.backend;

/** Geometry of a 2-D pooling window (PyTorch max_pool2d / avg_pool2d semantics). */
public record PoolParams(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                         int dilationH, int dilationW, boolean ceilMode, boolean countIncludePad) {

    public int outSize(int in, boolean height) {
        int k = height ? kernelH : kernelW, s = height ? strideH : strideW, p = height ? padH : padW;
        int d = height ? dilationH : dilationW;
        int span = in + 2 * p - d * (k - 1) - 1;
        int out = (ceilMode ? Math.ceilDiv(span, s) : Math.floorDiv(span, s)) + 1;
        // PyTorch: the last window must start inside the input or left padding
        if (ceilMode && (out - 1) * s >= in + p) out--;
        return out;
    }
}
