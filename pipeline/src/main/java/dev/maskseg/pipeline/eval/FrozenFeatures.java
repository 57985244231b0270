package dev.maskseg.pipeline.eval;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.zoo.SmallSegmenter;
import dev.maskseg.zoo.deeplab.SegmentationModel;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import dev.maskseg.zoo.resnet.FrozenResNet;
import dev.maskseg.zoo.resnet.ResNet;

import java.util.function.UnaryOperator;

/**
 * The frozen features a linear probe reads, the input of the layer the probe replaces: MaskContrast's decoder output
 * (docs/methods.md §2.7.1, the probe is the new {@code decoder.4}), a DeepLab-v3's {@code head.0..3} output (§3.8, the
 * probe re-initialises {@code head.4}, 256→classes), and the small segmenter's decoder output (its {@code classifier},
 * the 1x1 conv that plays {@code head.4}). Computed in eval mode (BatchNorm running statistics, no dropout) without
 * gradients; a ResNet backbone runs frozen for inference ({@link ResNet#freeze}: batch norms folded, weights packed once),
 * from the weights it has when this is made.
 */
public interface FrozenFeatures {
    /** Features [B, C, h, w] of a normalized batch. */
    Tensor of(Tensor normalized);

    /** C. */
    int channels();

    /** The features of a MaskContrast model, a DeepLab-v3 ({@link SegmentationModel}) or a {@link SmallSegmenter}. */
    static FrozenFeatures of(Module model) {
        return switch (model) {
            case MaskContrastModel m when m.backbone instanceof ResNet r -> {
                FrozenResNet backbone = r.freeze();
                yield frozen(m, x -> m.decoder.forward(backbone.forward(x)), m.decoderChannels);
            }
            case MaskContrastModel m -> frozen(m, m::features, m.decoderChannels);
            case SmallSegmenter s -> frozen(s, s::features, s.classifier.conv.weight.size(1));
            case SegmentationModel d -> {
                FrozenResNet backbone = d.backbone.freeze();
                yield frozen(d, x -> {
                    Tensor f = backbone.features(x).layer4();
                    for (int i = 0; i < d.head.size() - 1; i++) f = d.head.get(i).forward(f);
                    return f;
                }, ((Conv2d) d.head.get(d.head.size() - 1)).weight.size(1));
            }
            default -> throw new IllegalArgumentException("a linear probe needs a MaskContrast model, a DeepLab-v3 or the small segmenter, not "
                    + model.getClass().getSimpleName());
        };
    }

    private static FrozenFeatures frozen(Module model, UnaryOperator<Tensor> features, int channels) {
        return new FrozenFeatures() {
            @Override
            public Tensor of(Tensor normalized) {
                model.eval();
                try (var ng = GradMode.noGrad()) {
                    return features.apply(normalized).contiguous();
                }
            }

            @Override
            public int channels() { return channels; }
        };
    }
}
