package dev.maskseg.engine.ops;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;

/**
 * Activations [N, C, H, W] held channels-blocked, as oneDNN's nChw16c and ONNX Runtime's NCHWc: data is
 * [N, C/16, H + 2·border, W + 2·border, 16], each pixel's 16 channels of a block side by side, with a ring of zeros
 * border pixels wide around every plane so that a convolution padded by up to border reads it in place. A direct
 * convolution then reads its input and writes its output without im2col or packing ({@link Conv#conv2dInferenceBlocked}).
 */
public record ChannelBlocked(Tensor data, int channels, int height, int width, int border) implements AutoCloseable {
    public static final int BLOCK = 16;

    public ChannelBlocked {
        int[] s = data.shape();
        if (s.length != 5 || s[1] * BLOCK != channels || s[2] != height + 2 * border || s[3] != width + 2 * border || s[4] != BLOCK) {
            throw new IllegalArgumentException("channels-blocked: data " + data.shapeString() + " does not hold " + channels + " channels of "
                    + height + "x" + width + " with a border of " + border);
        }
    }

    /** x [N, C, H, W] with C a multiple of 16, blocked with a zero border. */
    public static ChannelBlocked of(Tensor x, int border) {
        if (x.dim() != 4 || x.size(1) % BLOCK != 0) {
            throw new IllegalArgumentException("channels-blocked: expected [N, C, H, W] with C a multiple of " + BLOCK + ", got " + x.shapeString());
        }
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        Tensor blocks = x.contiguous().view(n, c / BLOCK, BLOCK, h, w).permute(0, 1, 3, 4, 2);
        Tensor data = border == 0 ? blocks.contiguous() : Index.pad(blocks, new int[]{0, 0, border, border, border, border}, 0);
        return new ChannelBlocked(data, c, h, w, border);
    }

    /** An output a backend writes whole, border included: [n, c/16, h + 2·border, w + 2·border, 16], contents unspecified. */
    public static ChannelBlocked uninitialized(Backend be, DType dtype, int n, int c, int h, int w, int border) {
        return new ChannelBlocked(Tensor.uninitialized(be, dtype, n, c / BLOCK, h + 2 * border, w + 2 * border, BLOCK), c, h, w, border);
    }

    /** y [N, C, H, W] blocked with a zero border, y closed: the NCHW fallbacks' last step. */
    public static ChannelBlocked taking(Tensor y, int border) {
        ChannelBlocked out = of(y, border);
        y.close();
        return out;
    }

    public int batch() { return data.size(0); }

    /** Back to [N, C, H, W] (a new tensor). */
    public Tensor toNchw() {
        Tensor inner = border == 0 ? data : data.narrow(2, border, height).narrow(3, border, width);
        return inner.permute(0, 1, 4, 2, 3).contiguous().view(batch(), channels, height, width);
    }

    /** The mean over the pixels, [N, C]: a global average pool read straight from the blocks. */
    public Tensor meanOverPixels() {
        Tensor inner = border == 0 ? data : data.narrow(2, border, height).narrow(3, border, width);
        return Reduce.mean(inner, new int[]{2, 3}, false).view(batch(), channels);
    }

    @Override
    public void close() { data.close(); }
}
