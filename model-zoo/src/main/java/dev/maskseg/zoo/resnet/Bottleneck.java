package dev.maskseg.zoo.resnet;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Layers.BatchNorm2d;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Layers.Sequential;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Pointwise;

/** torchvision Bottleneck v1.5: the stride and dilation sit on the 3x3 conv; optional downsample (conv 1x1 + BN). */
public final class Bottleneck extends Module {
    public static final int EXPANSION = 4;
    public final Conv2d conv1, conv2, conv3;
    public final BatchNorm2d bn1, bn2, bn3;
    public final Sequential downsample;

    public Bottleneck(int inplanes, int planes, int stride, int dilation, boolean withDownsample, Generator g) {
        conv1 = registerModule("conv1", new Conv2d(inplanes, planes, 1, 1, 0, 1, 1, false, g));
        bn1 = registerModule("bn1", new BatchNorm2d(planes));
        conv2 = registerModule("conv2", new Conv2d(planes, planes, 3, stride, dilation, dilation, 1, false, g));
        bn2 = registerModule("bn2", new BatchNorm2d(planes));
        conv3 = registerModule("conv3", new Conv2d(planes, planes * EXPANSION, 1, 1, 0, 1, 1, false, g));
        bn3 = registerModule("bn3", new BatchNorm2d(planes * EXPANSION));
        downsample = withDownsample
                ? registerModule("downsample", new Sequential(
                        new Conv2d(inplanes, planes * EXPANSION, 1, stride, 0, 1, 1, false, g), new BatchNorm2d(planes * EXPANSION)))
                : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor out = bn1.forwardRelu(conv1.forward(x));
        out = bn2.forwardRelu(conv2.forward(out));
        out = bn3.forward(conv3.forward(out));
        Tensor identity = downsample == null ? x : downsample.forward(x);
        return Pointwise.addRelu(out, identity);
    }
}
