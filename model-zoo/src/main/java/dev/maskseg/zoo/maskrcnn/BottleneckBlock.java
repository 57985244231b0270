package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;

/**
 * detectron2's BottleneckBlock (docs/methods.md §3.4): 1x1 → 3x3 → 1x1 convolutions with FrozenBN, ReLU after the first
 * two and after the sum with the shortcut (a strided 1x1 conv + norm when the channel count changes). The stride sits on
 * the first 1x1 conv when {@code strideInOneByOne} (detectron2's default, MSRA weights) and on the 3x3 otherwise
 * (torchvision/MoCo weights).
 */
public final class BottleneckBlock extends Module {
    public final ConvNorm shortcut, conv1, conv2, conv3;

    public BottleneckBlock(int in, int out, int mid, int stride, boolean strideInOneByOne, Generator g) {
        this(in, out, mid, stride, strideInOneByOne, MaskRcnnConfig.Norm.FROZEN_BN, g);
    }

    public BottleneckBlock(int in, int out, int mid, int stride, boolean strideInOneByOne, MaskRcnnConfig.Norm norm, Generator g) {
        shortcut = in != out ? registerModule("shortcut", new ConvNorm(in, out, 1, stride, 0, norm, g)) : null;
        conv1 = registerModule("conv1", new ConvNorm(in, mid, 1, strideInOneByOne ? stride : 1, 0, norm, g));
        conv2 = registerModule("conv2", new ConvNorm(mid, mid, 3, strideInOneByOne ? 1 : stride, 1, norm, g));
        conv3 = registerModule("conv3", new ConvNorm(mid, out, 1, 1, 0, norm, g));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = conv3.forward(conv2.forward(conv1.forward(x).relu()).relu());
        return y.add(shortcut == null ? x : shortcut.forward(x)).relu();
    }
}
