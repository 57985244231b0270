package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.nn.Init;
import dev.maskseg.engine.nn.Layers.BatchNorm2d;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Conv;

/**
 * detectron2's Conv2d with a norm, as its ResNet uses it: a bias-free convolution ({@code weight}) followed by a
 * {@link FrozenBatchNorm} child named {@code norm} (or a trained BatchNorm2d, detectron2's "BN"), so the state-dict
 * names are {@code conv1.weight}, {@code conv1.norm.running_mean}, ... Weights start as c2_msra_fill (Kaiming normal,
 * fan-out).
 */
public final class ConvNorm extends Module {
    public final Tensor weight;
    public final Module norm;
    public final ConvParams params;

    public ConvNorm(int in, int out, int kernel, int stride, int padding, Generator g) { this(in, out, kernel, stride, padding, MaskRcnnConfig.Norm.FROZEN_BN, g); }

    public ConvNorm(int in, int out, int kernel, int stride, int padding, MaskRcnnConfig.Norm norm, Generator g) {
        weight = registerParameter("weight", Init.kaimingNormalFanOut(g, out, in, kernel, kernel));
        this.norm = registerModule("norm", norm == MaskRcnnConfig.Norm.BN ? new BatchNorm2d(out) : new FrozenBatchNorm(out));
        params = new ConvParams(stride, stride, padding, padding, 1, 1, 1);
    }

    @Override
    public Tensor forward(Tensor x) { return norm.forward(Conv.conv2d(x, weight, null, params)); }
}
