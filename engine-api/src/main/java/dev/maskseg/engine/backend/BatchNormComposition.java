package dev.maskseg.engine.backend;

import dev.maskseg.engine.DType;

/**
 * The batch-norm ops of {@link Backend} composed from a backend's own reduce and pointwise kernels (what a backend
 * without fused kernels runs, an accelerator's included): x is a contiguous [N, C, S] view, per-channel views are [C].
 * Temporaries come from the backend's allocate.
 */
final class BatchNormComposition {
    private BatchNormComposition() {}

    /** A [C] view broadcast over [N, C, S]. */
    private static View perChannel(View c, int[] shape) {
        return new View(c.storage(), c.offset(), shape, new int[]{0, c.strides()[0], 0});
    }

    /** x as [C, N, S] (no copy), so reducing its last two dims gives per-channel sums. */
    private static View channelsFirst(View x) {
        int[] s = x.shape(), st = x.strides();
        return new View(x.storage(), x.offset(), new int[]{s[1], s[0], s[2]}, new int[]{st[1], st[0], st[2]});
    }

    private static View temp(Backend be, DType t, int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return new View(be.allocate(t, n), 0, shape.clone(), View.contiguousStrides(shape));
    }

    private static double count(View x) { return (double) x.shape()[0] * x.shape()[2]; }

    static void stats(Backend be, View x, View mean, View var) {
        int[] shape = x.shape();
        be.reduce(ReduceOp.SUM, channelsFirst(x), 2, mean, null);
        be.unary(UnaryOp.MUL_SCALAR, 1 / count(x), 0, mean, mean);
        View centered = temp(be, x.dtype(), shape);
        be.binary(BinaryOp.SUB, x, perChannel(mean, shape), centered);
        be.binary(BinaryOp.MUL, centered, centered, centered);
        be.reduce(ReduceOp.SUM, channelsFirst(centered), 2, var, null);
        be.unary(UnaryOp.MUL_SCALAR, 1 / count(x), 0, var, var);
    }

    static void affine(Backend be, View x, View scale, View shift, boolean relu, View out) {
        int[] shape = x.shape();
        be.binary(BinaryOp.MUL, x, perChannel(scale, shape), out);
        be.binary(BinaryOp.ADD, out, perChannel(shift, shape), out);
        if (relu) be.unary(UnaryOp.RELU, 0, 0, out, out);
    }

    static void backward(Backend be, View gradOut, View reluOut, View x, View mean, View invstd, View scale, boolean training,
                         View gx, View gw, View gb) {
        int[] shape = x.shape();
        int c = shape[1];
        DType t = x.dtype();
        View g = gradOut;
        if (reluOut != null) {
            g = temp(be, t, shape);
            be.binary(BinaryOp.RELU_GRAD, reluOut, gradOut, g);
        }
        View sumG = temp(be, t, new int[]{c});
        be.reduce(ReduceOp.SUM, channelsFirst(g), 2, sumG, null);
        View xhat = null, sumGX = null;
        if (training || gw != null) {
            xhat = temp(be, t, shape);
            be.binary(BinaryOp.SUB, x, perChannel(mean, shape), xhat);
            be.binary(BinaryOp.MUL, xhat, perChannel(invstd, shape), xhat);
            View gxhat = temp(be, t, shape);
            be.binary(BinaryOp.MUL, g, xhat, gxhat);
            sumGX = temp(be, t, new int[]{c});
            be.reduce(ReduceOp.SUM, channelsFirst(gxhat), 2, sumGX, null);
        }
        if (gx != null) {
            if (training) {
                View meanG = temp(be, t, new int[]{c}), meanGX = temp(be, t, new int[]{c});
                be.unary(UnaryOp.MUL_SCALAR, 1 / count(x), 0, sumG, meanG);
                be.unary(UnaryOp.MUL_SCALAR, 1 / count(x), 0, sumGX, meanGX);
                be.binary(BinaryOp.MUL, xhat, perChannel(meanGX, shape), xhat);
                be.binary(BinaryOp.SUB, g, perChannel(meanG, shape), gx);
                be.binary(BinaryOp.SUB, gx, xhat, gx);
                be.binary(BinaryOp.MUL, gx, perChannel(scale, shape), gx);
            } else {
                be.binary(BinaryOp.MUL, g, perChannel(scale, shape), gx);
            }
        }
        if (gw != null) be.copy(sumGX, gw);
        if (gb != null) be.copy(sumG, gb);
    }
}
