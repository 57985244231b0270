package dev.maskseg.engine.ops;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.ConvParams;

/** conv2d over NCHW tensors: forward, and its input, weight and bias gradients. */
public final class Conv {
    private Conv() {}

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return conv2d(x, weight, bias, new ConvParams(stride, stride, padding, padding, dilation, dilation, groups));
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, ConvParams p) {
        Backend be = Pointwise.sameBackend("conv2d", x, weight, bias);
        if (x.dim() != 4 || weight.dim() != 4) {
            throw new IllegalArgumentException("conv2d: expected 4-D input and weight, got " + x.shapeString() + " and " + weight.shapeString());
        }
        int n = x.size(0), cin = x.size(1), cout = weight.size(0), g = p.groups();
        if (cin % g != 0 || cout % g != 0 || weight.size(1) * g != cin) {
            throw new IllegalArgumentException("conv2d: input " + x.shapeString() + " does not match weight " + weight.shapeString()
                    + " with groups=" + g);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != cout)) {
            throw new IllegalArgumentException("conv2d: bias " + bias.shapeString() + " for " + cout + " output channels");
        }
        int oh = p.outSize(x.size(2), weight.size(2), true), ow = p.outSize(x.size(3), weight.size(3), false);
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("conv2d: input " + x.shapeString() + " is too small for kernel " + weight.shapeString());
        }
        Tensor xc = x.contiguous().detach(), wc = weight.contiguous().detach();
        Tensor out = Tensor.empty(be, x.dtype(), n, cout, oh, ow);
        be.conv2d(xc.view(), wc.view(), bias == null ? null : bias.contiguous().view(), p, out.view());
        return Autograd.record("conv2d", out, gy -> {
            Tensor gc = gy.contiguous();
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad()) {
                gx = Tensor.empty(be, x.dtype(), x.shape());
                be.conv2dBackwardInput(gc.view(), wc.view(), p, gx.view());
            }
            if (weight.requiresGrad()) {
                gw = Tensor.empty(be, weight.dtype(), weight.shape());
                be.conv2dBackwardWeight(gc.view(), xc.view(), p, gw.view());
            }
            if (bias != null && bias.requiresGrad()) gb = Reduce.sum(gc, new int[]{0, 2, 3}, false);
            return new Tensor[]{gx, gw, gb};
        }, x, weight, bias);
    }
}
