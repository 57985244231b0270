package dev.maskseg.zoo.deeplab;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.nn.Layers.Sequential;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Resize;
import dev.maskseg.zoo.resnet.ResNet;

/**
 * Dilated ResNet-50 backbone + DeepLab-v3 head, logits upsampled bilinearly to the input size. The head's
 * name differs by source: torchvision {@code classifier}, MaskContrast's linear probe {@code decoder},
 * MaskDistill {@code head}; the maths is the same.
 */
public final class SegmentationModel extends Module {
    public final ResNet backbone;
    public final Sequential head;
    public final String headName;
    public final int numClasses;

    public SegmentationModel(String headName, int numClasses, Generator g) {
        this.headName = headName;
        this.numClasses = numClasses;
        backbone = registerModule("backbone", ResNet.dilatedBackbone(g));
        head = registerModule(headName, DeepLabHead.create(2048, numClasses, g));
    }

    /** torchvision's {@code deeplabv3_resnet50} names. */
    public static SegmentationModel deeplabv3(int numClasses, Generator g) { return new SegmentationModel("classifier", numClasses, g); }

    @Override
    public Tensor forward(Tensor x) {
        Tensor logits = head.forward(backbone.features(x).layer4());
        return Resize.interpolate(logits, x.size(2), x.size(3), Mode.BILINEAR, false);
    }
}
