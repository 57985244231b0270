package dev.maskseg.engine.nn;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.ops.ChannelBlocked;
import dev.maskseg.engine.ops.Conv;

/**
 * A frozen inference layer: Conv2d with the eval-mode BatchNorm2d after it folded into its weight and bias (PyTorch's
 * {@code fuse_conv_bn_eval}), an optional residual added and an optional ReLU, in one backend call
 * ({@link Conv#conv2dInference}). Its weights are copies made at freezing time and never change, so the backend keeps
 * their packed forms ({@link PackedWeights}) across calls; the layer has no gradient.
 */
public final class FusedConv2d extends Module {
    public final Tensor weight, bias;
    public final ConvParams params;
    public final boolean relu;
    private final PackedWeights packed = new PackedWeights();

    private FusedConv2d(Tensor weight, Tensor bias, ConvParams params, boolean relu) {
        this.weight = registerBuffer("weight", weight);
        this.bias = registerBuffer("bias", bias);
        this.params = params;
        this.relu = relu;
        train(false);
    }

    /**
     * conv, then bn in eval mode (its running statistics; null: none), then ReLU when relu. Folded in double precision:
     * w' = w·γ/√(var+ε) per output channel, b' = (b − mean)·γ/√(var+ε) + β.
     */
    public static FusedConv2d fold(Layers.Conv2d conv, Layers.BatchNorm2d bn, boolean relu) {
        int cout = conv.weight.size(0), per = conv.weight.numel() / Math.max(1, cout);
        double[] w = conv.weight.toDoubleArray();
        double[] b = conv.bias == null ? new double[cout] : conv.bias.toDoubleArray();
        if (bn != null) {
            double[] mean = bn.runningMean.toDoubleArray(), var = bn.runningVar.toDoubleArray();
            double[] gamma = bn.weight == null ? null : bn.weight.toDoubleArray(), beta = bn.bias == null ? null : bn.bias.toDoubleArray();
            if (mean.length != cout) {
                throw new IllegalArgumentException("fuse conv+bn: batch norm over " + mean.length + " channels after a conv with " + cout
                        + " outputs " + conv.weight.shapeString());
            }
            for (int c = 0; c < cout; c++) {
                double scale = (gamma == null ? 1 : gamma[c]) / Math.sqrt(var[c] + bn.eps);
                for (int i = c * per; i < (c + 1) * per; i++) w[i] *= scale;
                b[c] = (b[c] - mean[c]) * scale + (beta == null ? 0 : beta[c]);
            }
        }
        DType dt = conv.weight.dtype();
        Tensor fw = Tensor.of(w, conv.weight.shape()).to(dt).to(conv.weight.backend());
        Tensor fb = Tensor.of(b, cout).to(dt).to(conv.weight.backend());
        return new FusedConv2d(fw, fb, conv.params, relu);
    }

    /** A frozen layer's weights are fixed (its packed forms are never compared with them): load into the source and freeze again. */
    @Override
    public LoadReport loadStateDict(java.util.Map<String, Tensor> source, boolean strict) {
        throw new UnsupportedOperationException("FusedConv2d: a frozen model's weights are fixed; load them into the source model and freeze it again");
    }

    @Override public Tensor forward(Tensor x) { return forward(x, null); }

    /** relu?(conv(x) + residual); residual may be null. */
    public Tensor forward(Tensor x, Tensor residual) {
        return Conv.conv2dInference(x, weight, bias, params, residual, relu, packed);
    }

    /** The same on channels-blocked activations, the output with a zero border of outBorder (what the next layer pads by). */
    public ChannelBlocked forward(ChannelBlocked x, ChannelBlocked residual, int outBorder) {
        return Conv.conv2dInferenceBlocked(x, weight, bias, params, residual, relu, packed, outBorder);
    }

    /** relu?(conv(x) + residual) written over residual, which the caller gives up ({@link Conv#conv2dInferenceBlockedOnto}). */
    public ChannelBlocked forwardOnto(ChannelBlocked x, ChannelBlocked residual) {
        return Conv.conv2dInferenceBlockedOnto(x, weight, bias, params, residual, relu, packed);
    }

    /** The same on an NCHW input (a network's first layer), the output channels-blocked with a zero border of outBorder. */
    public ChannelBlocked forwardToBlocked(Tensor x, int outBorder) {
        return Conv.conv2dInferenceToBlocked(x, weight, bias, params, relu, packed, outBorder);
    }

    /** The zero border this layer's input needs in the channels-blocked layout: its padding. */
    public int inputBorder() { return Math.max(params.padH(), params.padW()); }

    /** The packed forms the backend keeps for this layer (tests). */
    public PackedWeights packed() { return packed; }
}
