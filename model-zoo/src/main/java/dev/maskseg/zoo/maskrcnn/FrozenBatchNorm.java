package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;

/**
 * detectron2's FrozenBatchNorm2d (docs/methods.md §3.4): a per-channel affine from four buffers that are never trained,
 * y = x · w / sqrt(var + eps) + (b − mean · w / sqrt(var + eps)), eps = 1e-5. Fresh, it is the identity
 * (var = 1 − eps). Gradients flow through to x, never into the buffers.
 */
public final class FrozenBatchNorm extends Module {
    public static final double EPS = 1e-5;
    public final Tensor weight, bias, runningMean, runningVar;

    public FrozenBatchNorm(int channels) {
        weight = registerBuffer("weight", Tensor.ones(channels));
        bias = registerBuffer("bias", Tensor.zeros(channels));
        runningMean = registerBuffer("running_mean", Tensor.zeros(channels));
        runningVar = registerBuffer("running_var", Tensor.full(1 - EPS, channels));
    }

    @Override
    public Tensor forward(Tensor x) {
        int c = weight.size(0);
        if (x.dim() != 4 || x.size(1) != c) throw new IllegalArgumentException("frozen batch norm: " + c + " channels, input " + x.shapeString());
        Tensor scale = weight.mul(dev.maskseg.engine.ops.Pointwise.rsqrt(runningVar.add(EPS)));
        Tensor shift = bias.sub(runningMean.mul(scale));
        return x.mul(scale.reshape(1, c, 1, 1)).add(shift.reshape(1, c, 1, 1));
    }
}
