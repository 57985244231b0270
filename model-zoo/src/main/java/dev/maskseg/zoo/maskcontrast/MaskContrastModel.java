package dev.maskseg.zoo.maskcontrast;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Layers.Sequential;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Resize;
import dev.maskseg.zoo.deeplab.DeepLabHead;
import dev.maskseg.zoo.resnet.ResNet;

/**
 * MaskContrast's model (methods.md §2.3): dilated ResNet-50, {@code decoder} = DeepLab head[0..3] (256-d),
 * {@code head} = 1x1 conv to the embedding (with bias), {@code classification_head} = 1x1 conv to one
 * saliency logit (no bias); both bilinearly upsampled to the input size. The embedding is not normalized here.
 */
public final class MaskContrastModel extends Module {
    /** embedding [B, ndim, H, W], saliency logit [B, 1, H, W]. */
    public record Output(Tensor embedding, Tensor saliency) {}

    public final ResNet backbone;
    public final Sequential decoder;
    public final Conv2d head, classificationHead;

    public MaskContrastModel(int ndim, Generator g) {
        backbone = registerModule("backbone", ResNet.dilatedBackbone(g));
        decoder = registerModule("decoder", DeepLabHead.decoder(2048, g));
        head = registerModule("head", new Conv2d(DeepLabHead.CHANNELS, ndim, 1, 1, 0, 1, 1, true, g));
        classificationHead = registerModule("classification_head", new Conv2d(DeepLabHead.CHANNELS, 1, 1, 1, 0, 1, 1, false, g));
    }

    /** The embedding. */
    @Override
    public Tensor forward(Tensor x) { return run(x).embedding(); }

    public Output run(Tensor x) {
        Tensor features = decoder.forward(backbone.features(x).layer4());
        int h = x.size(2), w = x.size(3);
        return new Output(Resize.interpolate(head.forward(features), h, w, Mode.BILINEAR, false),
                Resize.interpolate(classificationHead.forward(features), h, w, Mode.BILINEAR, false));
    }
}
