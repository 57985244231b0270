package dev.maskseg.zoo;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

/**
 * The small segmentation network of the MaskDistill demo and tests: the small MaskContrast backbone and decoder
 * ({@link MaskContrastModel#small}, {@code width} channels) with a 1x1 classifier to {@code labels} logits, bilinearly
 * upsampled to the input size.
 */
public final class SmallSegmenter extends Module {
    public final MaskContrastModel body;
    public final LinearProbe classifier;

    public SmallSegmenter(int width, int labels, Generator g) {
        body = registerModule("body", MaskContrastModel.small(8, width, g));
        classifier = registerModule("classifier", new LinearProbe(width, labels, g));
    }

    /** The decoder features [B, width, h, w]. */
    public Tensor features(Tensor x) { return body.features(x); }

    /** Logits [B, labels, H, W]. */
    @Override
    public Tensor forward(Tensor x) { return classifier.forward(body.features(x), x.size(2), x.size(3)); }
}
