package dev.maskseg.engine.ops;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.autograd.GradMode;

/**
 * conv2d over NCHW tensors: forward, and its input, weight and bias gradients; conv_transpose2d as the adjoint of
 * conv2d (its forward is conv2d's input gradient, its input gradient a conv2d, its weight gradient conv2d's weight
 * gradient with the roles of input and output gradient swapped), so it needs no kernel of its own.
 */
public final class Conv {
    private Conv() {}

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return conv2d(x, weight, bias, new ConvParams(stride, stride, padding, padding, dilation, dilation, groups));
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, ConvParams p) {
        Backend be = Pointwise.sameBackend("conv2d", x, weight, bias);
        int[] shape = outputShape("conv2d", x, weight, bias, p);
        Tensor xc = x.contiguous().detach(), wc = weight.contiguous().detach();
        Tensor out = convOutput(be, x, shape);
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

    /**
     * Inference only (no gradient): relu?(conv2d(x, weight, bias) + residual) in one backend call, with weight constant
     * for the life of packed ({@link PackedWeights}); residual may be null. A frozen layer's forward
     * ({@link dev.maskseg.engine.nn.FusedConv2d}).
     */
    public static Tensor conv2dInference(Tensor x, Tensor weight, Tensor bias, ConvParams p, Tensor residual, boolean relu, PackedWeights packed) {
        Backend be = Pointwise.sameBackend("conv2d_inference", x, weight, bias, residual);
        int[] shape = outputShape("conv2d_inference", x, weight, bias, p);
        requireNoGrad("conv2d_inference", x, weight, bias, residual);
        if (residual != null && !java.util.Arrays.equals(residual.shape(), shape)) {
            throw new IllegalArgumentException("conv2d_inference: residual " + residual.shapeString() + " does not match output "
                    + java.util.Arrays.toString(shape));
        }
        Tensor out = convOutput(be, x, shape);
        be.conv2dInference(x.contiguous().view(), weight.contiguous().view(), bias == null ? null : bias.contiguous().view(), p,
                residual == null ? null : residual.contiguous().view(), relu, packed, out.view());
        return out;
    }

    /**
     * {@link #conv2dInference} on channels-blocked activations: the output blocked with a zero border of outBorder (what
     * the next layer's padding reads), residual (may be null) blocked without one. A backend that takes the layer
     * ({@link Backend#blockedConv}) reads and writes the blocks in place; otherwise the layer runs in NCHW between
     * conversions (the same sums, slower).
     */
    public static ChannelBlocked conv2dInferenceBlocked(ChannelBlocked x, Tensor weight, Tensor bias, ConvParams p, ChannelBlocked residual,
                                                        boolean relu, PackedWeights packed, int outBorder) {
        Backend be = Pointwise.sameBackend("conv2d_inference_blocked", x.data(), weight, bias, residual == null ? null : residual.data());
        int[] shape = blockedOutputShape("conv2d_inference_blocked", x, weight, bias, p, residual);
        if (!be.blockedConv(x.data().dtype(), x.channels(), shape[1], p, x.border())) {
            Tensor xn = x.toNchw(), rn = residual == null ? null : residual.toNchw();
            Tensor y = conv2dInference(xn, weight, bias, p, rn, relu, packed);
            xn.close();
            if (rn != null) rn.close();
            return ChannelBlocked.taking(y, outBorder);
        }
        ChannelBlocked out = ChannelBlocked.uninitialized(be, x.data().dtype(), shape[0], shape[1], shape[2], shape[3], outBorder);
        be.conv2dInferenceBlocked(x.data().contiguous().view(), x.border(), weight.contiguous().view(),
                bias == null ? null : bias.contiguous().view(), p, residual == null ? null : residual.data().contiguous().view(), relu,
                packed, out.data().view(), outBorder);
        return out;
    }

    /**
     * {@link #conv2dInferenceBlocked} with the sum written over residual (output border 0), which the caller gives up: it
     * comes back holding relu?(conv(x) + residual), or is closed when the layer runs in NCHW. A bottleneck's last layer so
     * reads and writes the lines of one array instead of streaming a third (ONNX Runtime's Conv + Sum fusion does the
     * same); residual must own its whole buffer, as a layer's output does.
     */
    public static ChannelBlocked conv2dInferenceBlockedOnto(ChannelBlocked x, Tensor weight, Tensor bias, ConvParams p, ChannelBlocked residual,
                                                            boolean relu, PackedWeights packed) {
        if (residual == null) throw new IllegalArgumentException("conv2d_inference_blocked_onto: no residual to write onto");
        Backend be = Pointwise.sameBackend("conv2d_inference_blocked_onto", x.data(), weight, bias, residual.data());
        int[] shape = blockedOutputShape("conv2d_inference_blocked_onto", x, weight, bias, p, residual);
        if (!be.blockedConv(x.data().dtype(), x.channels(), shape[1], p, x.border()) || !residual.data().isContiguous()) {
            ChannelBlocked out = conv2dInferenceBlocked(x, weight, bias, p, residual, relu, packed, 0);
            residual.close();
            return out;
        }
        View onto = residual.data().view();
        be.conv2dInferenceBlocked(x.data().contiguous().view(), x.border(), weight.contiguous().view(),
                bias == null ? null : bias.contiguous().view(), p, onto, relu, packed, onto, 0);
        return residual;
    }

    /** The output shape [N, C, H, W] of a blocked layer, checking that a residual (may be null) matches it without a border. */
    private static int[] blockedOutputShape(String op, ChannelBlocked x, Tensor weight, Tensor bias, ConvParams p, ChannelBlocked residual) {
        int[] shape = outputShape(op, new int[]{x.batch(), x.channels(), x.height(), x.width()}, weight, bias, p);
        if (residual != null && (residual.border() != 0 || residual.channels() != shape[1] || residual.height() != shape[2]
                || residual.width() != shape[3] || residual.batch() != shape[0])) {
            throw new IllegalArgumentException(op + ": residual " + residual.data().shapeString() + " with border "
                    + residual.border() + " does not match output " + java.util.Arrays.toString(shape) + " without one");
        }
        requireNoGrad(op, x.data(), weight, bias, residual == null ? null : residual.data());
        return shape;
    }

    /**
     * {@link #conv2dInference} of an NCHW input (a network's first layer, whose few channels are not in blocks) with its
     * output channels-blocked, a zero border of outBorder around it. Backends without the kernel
     * ({@link Backend#blockedConvOfNchw}) convolve in NCHW and convert.
     */
    public static ChannelBlocked conv2dInferenceToBlocked(Tensor x, Tensor weight, Tensor bias, ConvParams p, boolean relu, PackedWeights packed,
                                                          int outBorder) {
        Backend be = Pointwise.sameBackend("conv2d_inference_to_blocked", x, weight, bias);
        int[] shape = outputShape("conv2d_inference_to_blocked", x, weight, bias, p);
        requireNoGrad("conv2d_inference_to_blocked", x, weight, bias);
        if (!be.blockedConvOfNchw(x.dtype(), x.size(1), shape[1], p)) {
            return ChannelBlocked.taking(conv2dInference(x, weight, bias, p, null, relu, packed), outBorder);
        }
        ChannelBlocked out = ChannelBlocked.uninitialized(be, x.dtype(), shape[0], shape[1], shape[2], shape[3], outBorder);
        be.conv2dInferenceToBlocked(x.contiguous().view(), weight.contiguous().view(), bias == null ? null : bias.contiguous().view(), p,
                relu, packed, out.data().view(), outBorder);
        return out;
    }

    /** One error when autograd would expect a backward that a frozen inference layer does not have. */
    private static void requireNoGrad(String op, Tensor... tensors) {
        if (!GradMode.isEnabled()) return;
        for (Tensor t : tensors) {
            if (t != null && t.requiresGrad()) {
                throw new IllegalStateException(op + ": a frozen inference layer has no backward; " + t.shapeString() + " requires grad");
            }
        }
    }

    /** Zeroed, as a backend may accumulate into it, unless it writes every element ({@link Backend#convOverwritesOutput}). */
    private static Tensor convOutput(Backend be, Tensor x, int[] shape) {
        return be.convOverwritesOutput() ? Tensor.uninitialized(be, x.dtype(), shape) : Tensor.empty(be, x.dtype(), shape);
    }

    /** The output shape of conv2d(x, weight, bias, p), or one error naming op and shapes. */
    private static int[] outputShape(String op, Tensor x, Tensor weight, Tensor bias, ConvParams p) {
        if (x.dim() != 4) throw new IllegalArgumentException(op + ": expected 4-D input and weight, got " + x.shapeString() + " and " + weight.shapeString());
        return outputShape(op, x.shape(), weight, bias, p);
    }

    private static int[] outputShape(String op, int[] x, Tensor weight, Tensor bias, ConvParams p) {
        String xs = java.util.Arrays.toString(x);
        if (weight.dim() != 4) throw new IllegalArgumentException(op + ": expected 4-D input and weight, got " + xs + " and " + weight.shapeString());
        int n = x[0], cin = x[1], cout = weight.size(0), g = p.groups();
        if (cin % g != 0 || cout % g != 0 || weight.size(1) * g != cin) {
            throw new IllegalArgumentException(op + ": input " + xs + " does not match weight " + weight.shapeString() + " with groups=" + g);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != cout)) {
            throw new IllegalArgumentException(op + ": bias " + bias.shapeString() + " for " + cout + " output channels");
        }
        int oh = p.outSize(x[2], weight.size(2), true), ow = p.outSize(x[3], weight.size(3), false);
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(op + ": input " + xs + " is too small for kernel " + weight.shapeString());
        }
        return new int[]{n, cout, oh, ow};
    }

    /** torch.nn.functional.conv_transpose2d with one stride, padding, output padding and dilation for both axes. */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int outputPadding,
                                         int groups, int dilation) {
        return convTranspose2d(x, weight, bias, new ConvParams(stride, stride, padding, padding, dilation, dilation, groups),
                outputPadding, outputPadding);
    }

    /**
     * x [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw] (PyTorch's layout) → [N, Cout, (H−1)·s − 2p + d(k−1) + op + 1, …].
     * The output padding must be smaller than the stride or the dilation, as in PyTorch.
     */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, ConvParams p, int outPadH, int outPadW) {
        Backend be = Pointwise.sameBackend("conv_transpose2d", x, weight, bias);
        if (x.dim() != 4 || weight.dim() != 4) {
            throw new IllegalArgumentException("conv_transpose2d: expected 4-D input and weight, got " + x.shapeString() + " and " + weight.shapeString());
        }
        int n = x.size(0), cin = x.size(1), g = p.groups(), cout = weight.size(1) * g;
        if (weight.size(0) != cin || cin % g != 0) {
            throw new IllegalArgumentException("conv_transpose2d: input " + x.shapeString() + " does not match weight "
                    + weight.shapeString() + " ([Cin, Cout/groups, kh, kw]) with groups=" + g);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != cout)) {
            throw new IllegalArgumentException("conv_transpose2d: bias " + bias.shapeString() + " for " + cout + " output channels");
        }
        if (outPadH < 0 || outPadW < 0 || outPadH >= Math.max(p.strideH(), p.dilationH()) || outPadW >= Math.max(p.strideW(), p.dilationW())) {
            throw new IllegalArgumentException("conv_transpose2d: output padding " + outPadH + "x" + outPadW
                    + " must be smaller than the stride or the dilation");
        }
        int oh = (x.size(2) - 1) * p.strideH() - 2 * p.padH() + p.dilationH() * (weight.size(2) - 1) + outPadH + 1;
        int ow = (x.size(3) - 1) * p.strideW() - 2 * p.padW() + p.dilationW() * (weight.size(3) - 1) + outPadW + 1;
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("conv_transpose2d: input " + x.shapeString() + " with kernel " + weight.shapeString()
                    + " gives an empty output " + oh + "x" + ow);
        }
        // an output padding of at least the stride (possible when the dilation is larger) makes the conv2d that this is
        // the adjoint of produce more rows or columns than x has; x is zero-extended to that size, which changes nothing
        int ih = p.outSize(oh, weight.size(2), true), iw = p.outSize(ow, weight.size(3), false);
        Tensor wc = weight.contiguous().detach();
        Tensor xc = ih == x.size(2) && iw == x.size(3) ? x.contiguous().detach()
                : Index.pad(x.detach(), new int[]{0, iw - x.size(3), 0, ih - x.size(2)}, 0.0).detach();
        Tensor out = Tensor.empty(be, x.dtype(), n, cout, oh, ow);
        be.conv2dBackwardInput(xc.view(), wc.view(), p, out.view());
        if (bias != null) {
            try (var ng = dev.maskseg.engine.autograd.GradMode.noGrad()) {
                out = out.add(bias.detach().reshape(1, cout, 1, 1));
            }
        }
        return Autograd.record("conv_transpose2d", out, gy -> {
            Tensor gc = gy.contiguous();
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad()) {
                gx = Tensor.empty(be, x.dtype(), n, cin, ih, iw);
                be.conv2d(gc.view(), wc.view(), null, p, gx.view());
                if (ih != x.size(2) || iw != x.size(3)) gx = gx.narrow(2, 0, x.size(2)).narrow(3, 0, x.size(3)).contiguous();
            }
            if (weight.requiresGrad()) {
                gw = Tensor.empty(be, weight.dtype(), weight.shape());
                be.conv2dBackwardWeight(xc.view(), gc.view(), p, gw.view());
            }
            if (bias != null && bias.requiresGrad()) gb = Reduce.sum(gc, new int[]{0, 2, 3}, false);
            return new Tensor[]{gx, gw, gb};
        }, x, weight, bias);
    }
}
