package dev.maskseg.engine.ops;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.PoolParams;

/** 2-D max, average and adaptive average pooling over NCHW tensors, forward and backward. */
public final class Pool {
    private Pool() {}

    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return maxPool2d(x, new PoolParams(kernel, kernel, stride, stride, padding, padding, 1, 1, false, true));
    }

    public static Tensor maxPool2d(Tensor x, PoolParams p) {
        check4d("max_pool2d", x);
        if (p.padH() * 2 > p.kernelH() || p.padW() * 2 > p.kernelW()) {
            throw new IllegalArgumentException("max_pool2d: padding should be at most half of the kernel size");
        }
        Tensor xc = x.contiguous();
        int oh = p.outSize(x.size(2), true), ow = p.outSize(x.size(3), false);
        Tensor out = Tensor.empty(x.backend(), x.dtype(), x.size(0), x.size(1), oh, ow);
        Tensor idx = Tensor.empty(x.backend(), DType.INT64, x.size(0), x.size(1), oh, ow);
        x.backend().maxPool2d(xc.view(), p, out.view(), idx.view());
        return Autograd.record("max_pool2d", out, g -> {
            // the output gradient goes to each window's argmax: a scatter_add along the flattened planes
            int n = x.size(0), c = x.size(1), windows = oh * ow;
            Tensor gx = Tensor.zeros(g.dtype(), n, c, x.size(2) * x.size(3)).to(g.backend());
            g.backend().scatterAdd(gx.view(), 2, idx.view(n, c, windows).view(), g.contiguous().view(n, c, windows).view());
            return new Tensor[]{gx.view(x.shape())};
        }, x);
    }

    /**
     * max_pool2d for inference on channels-blocked activations, the output with a zero border of outBorder. Backends
     * without the kernel ({@link dev.maskseg.engine.backend.Backend#blockedMaxPool}) pool in NCHW and convert.
     */
    public static ChannelBlocked maxPool2dBlocked(ChannelBlocked x, int kernel, int stride, int padding, int outBorder) {
        PoolParams p = new PoolParams(kernel, kernel, stride, stride, padding, padding, 1, 1, false, true);
        if (p.padH() * 2 > p.kernelH()) throw new IllegalArgumentException("max_pool2d: padding should be at most half of the kernel size");
        Backend be = x.data().backend();
        if (!be.blockedMaxPool(x.data().dtype(), p)) {
            Tensor xn = x.toNchw();
            Tensor y = maxPool2d(xn, p);
            xn.close();
            return ChannelBlocked.taking(y, outBorder);
        }
        ChannelBlocked out = ChannelBlocked.uninitialized(be, x.data().dtype(), x.batch(), x.channels(), p.outSize(x.height(), true),
                p.outSize(x.width(), false), outBorder);
        be.maxPool2dBlocked(x.data().contiguous().view(), x.border(), p, out.data().view(), outBorder);
        return out;
    }

    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return avgPool2d(x, new PoolParams(kernel, kernel, stride, stride, padding, padding, 1, 1, false, true));
    }

    public static Tensor avgPool2d(Tensor x, PoolParams p) {
        check4d("avg_pool2d", x);
        Tensor xc = x.contiguous();
        int oh = p.outSize(x.size(2), true), ow = p.outSize(x.size(3), false);
        Tensor out = Tensor.empty(x.backend(), x.dtype(), x.size(0), x.size(1), oh, ow);
        x.backend().avgPool2d(xc.view(), p, out.view());
        return Autograd.record("avg_pool2d", out, g -> {
            Tensor gx = Tensor.zeros(g.dtype(), x.shape()).to(g.backend());
            g.backend().avgPool2dBackward(g.contiguous().view(), p, gx.view());
            return new Tensor[]{gx};
        }, x);
    }

    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        check4d("adaptive_avg_pool2d", x);
        Tensor out = Tensor.empty(x.backend(), x.dtype(), x.size(0), x.size(1), outH, outW);
        x.backend().adaptiveAvgPool2d(x.contiguous().view(), out.view());
        return Autograd.record("adaptive_avg_pool2d", out, g -> {
            Tensor gx = Tensor.zeros(g.dtype(), x.shape()).to(g.backend());
            g.backend().adaptiveAvgPool2dBackward(g.contiguous().view(), gx.view());
            return new Tensor[]{gx};
        }, x);
    }

    static void check4d(String op, Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException(op + ": expected NCHW input, got " + x.shapeString());
    }
}
