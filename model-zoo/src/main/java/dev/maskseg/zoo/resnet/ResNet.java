package dev.maskseg.zoo.resnet;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Init;
import dev.maskseg.engine.nn.Layers.BatchNorm2d;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Layers.Linear;
import dev.maskseg.engine.nn.Layers.Sequential;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.Pool;
import dev.maskseg.engine.ops.Reduce;

/**
 * torchvision ResNet-50 (docs/methods.md §1.1) with its names. {@code dilateLayer3/4} is torchvision's
 * replace_stride_with_dilation (= MaskContrast's ResnetDilated, output stride 8); {@code numClasses = 0}
 * drops {@code avgpool}/{@code fc} (a backbone).
 */
public final class ResNet extends Module {
    /** Stage outputs of one forward; logits is null for a backbone. */
    public record Features(Tensor layer3, Tensor layer4, Tensor logits) {}

    private static final int[] BLOCKS = {3, 4, 6, 3};
    public final Conv2d conv1;
    public final BatchNorm2d bn1;
    public final Sequential layer1, layer2, layer3, layer4;
    public final Linear fc;
    private int inplanes = 64, dilation = 1;

    public ResNet(boolean dilateLayer3, boolean dilateLayer4, int numClasses, Generator g) {
        conv1 = registerModule("conv1", new Conv2d(3, 64, 7, 2, 3, 1, 1, false, g));
        bn1 = registerModule("bn1", new BatchNorm2d(64));
        layer1 = registerModule("layer1", makeLayer(64, BLOCKS[0], 1, false, g));
        layer2 = registerModule("layer2", makeLayer(128, BLOCKS[1], 2, false, g));
        layer3 = registerModule("layer3", makeLayer(256, BLOCKS[2], 2, dilateLayer3, g));
        layer4 = registerModule("layer4", makeLayer(512, BLOCKS[3], 2, dilateLayer4, g));
        fc = numClasses > 0 ? registerModule("fc", new Linear(512 * Bottleneck.EXPANSION, numClasses, true, g)) : null;
        try (var ng = GradMode.noGrad()) {   // torchvision: kaiming_normal_(fan_out, relu) for every conv
            for (var e : namedParameters().entrySet()) {
                if (e.getValue().dim() == 4) e.getValue().copy_(Init.kaimingNormalFanOut(g, e.getValue().shape()));
            }
        }
    }

    /**
     * A copy frozen for inference ({@link FrozenResNet}): batch norms folded into the convolutions with their running
     * statistics, ReLUs and residual adds fused, weights packed once. Later changes to this module do not reach it.
     */
    public FrozenResNet freeze() { return new FrozenResNet(this); }

    /** The dilated backbone of DeepLab-v3 / MaskContrast (output stride 8, no classifier). */
    public static ResNet dilatedBackbone(Generator g) { return new ResNet(true, true, 0, g); }

    private Sequential makeLayer(int planes, int blocks, int stride, boolean dilate, Generator g) {
        int previousDilation = dilation;
        if (dilate) {
            dilation *= stride;
            stride = 1;
        }
        boolean down = stride != 1 || inplanes != planes * Bottleneck.EXPANSION;
        Sequential layer = new Sequential(new Bottleneck(inplanes, planes, stride, previousDilation, down, g));
        inplanes = planes * Bottleneck.EXPANSION;
        for (int i = 1; i < blocks; i++) layer.add(new Bottleneck(inplanes, planes, 1, dilation, false, g));
        return layer;
    }

    /** Logits when there is a classifier, otherwise the layer4 map. */
    @Override
    public Tensor forward(Tensor x) {
        Features f = features(x);
        return f.logits() != null ? f.logits() : f.layer4();
    }

    public Features features(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3) throw new IllegalArgumentException("resnet50: expected input [B,3,H,W], got " + x.shapeString());
        Tensor t = Pool.maxPool2d(bn1.forwardRelu(conv1.forward(x)), 3, 2, 1);
        t = layer2.forward(layer1.forward(t));
        Tensor l3 = layer3.forward(t), l4 = layer4.forward(l3);
        Tensor logits = fc == null ? null : fc.forward(Reduce.mean(l4, new int[]{2, 3}, false));
        return new Features(l3, l4, logits);
    }
}
