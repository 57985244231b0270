package dev.maskseg.zoo.maskcontrast;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.nn.Layers.BatchNorm2d;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Layers.ReLU;
import dev.maskseg.engine.nn.Layers.Sequential;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Resize;
import dev.maskseg.zoo.deeplab.DeepLabHead;
import dev.maskseg.zoo.resnet.ResNet;

/**
 * MaskContrast's model (docs/methods.md §2.3): dilated ResNet-50, {@code decoder} = DeepLab head[0..3] (256-d),
 * {@code head} = 1x1 conv to the embedding (with bias), {@code classification_head} = 1x1 conv to one
 * saliency logit (no bias); both bilinearly upsampled to the input size. The embedding is not normalized here.
 */
public final class MaskContrastModel extends Module {
    /** embedding [B, ndim, H, W], saliency logit [B, 1, H, W]. */
    public record Output(Tensor embedding, Tensor saliency) {}

    public final Module backbone;
    public final Sequential decoder;
    public final Conv2d head, classificationHead;
    /** Channels of the decoder output (256 for the DeepLab decoder): the linear probe's input. */
    public final int decoderChannels;

    /** The paper's model: dilated ResNet-50 + DeepLab decoder. */
    public MaskContrastModel(int ndim, Generator g) { this(ResNet.dilatedBackbone(g), DeepLabHead.decoder(2048, g), DeepLabHead.CHANNELS, ndim, g); }

    /** Any backbone (image → feature map) and decoder (→ {@code decoderChannels}), with the paper's two 1x1 heads. */
    public MaskContrastModel(Module backbone, Sequential decoder, int decoderChannels, int ndim, Generator g) {
        this.backbone = registerModule("backbone", backbone);
        this.decoder = registerModule("decoder", decoder);
        this.decoderChannels = decoderChannels;
        head = registerModule("head", new Conv2d(decoderChannels, ndim, 1, 1, 0, 1, 1, true, g));
        classificationHead = registerModule("classification_head", new Conv2d(decoderChannels, 1, 1, 1, 0, 1, 1, false, g));
    }

    /**
     * A small model for the demo and tests: four 3x3 conv-BN-ReLU stages (strides 2, 2, then dilations 2 and 4, so
     * output stride 4) and a 3x3 conv-BN-ReLU decoder of {@code width} channels.
     */
    public static MaskContrastModel small(int ndim, int width, Generator g) {
        Sequential backbone = new Sequential();
        int[][] stages = {{3, width / 2, 2, 1}, {width / 2, width, 2, 1}, {width, width, 1, 2}, {width, width, 1, 4}};
        for (int[] s : stages) {
            backbone.add(new Conv2d(s[0], s[1], 3, s[2], s[3], s[3], 1, false, g)).add(new BatchNorm2d(s[1])).add(new ReLU());
        }
        Sequential decoder = new Sequential(new Conv2d(width, width, 3, 1, 1, 1, 1, false, g), new BatchNorm2d(width), new ReLU());
        return new MaskContrastModel(backbone, decoder, width, ndim, g);
    }

    /** The embedding. */
    @Override
    public Tensor forward(Tensor x) { return run(x).embedding(); }

    /** The decoder features [B, decoderChannels, h, w] (what the linear probe reads). */
    public Tensor features(Tensor x) { return decoder.forward(backbone.forward(x)); }

    public Output run(Tensor x) {
        Tensor features = features(x);
        int h = x.size(2), w = x.size(3);
        return new Output(Resize.interpolate(head.forward(features), h, w, Mode.BILINEAR, false),
                Resize.interpolate(classificationHead.forward(features), h, w, Mode.BILINEAR, false));
    }
}
