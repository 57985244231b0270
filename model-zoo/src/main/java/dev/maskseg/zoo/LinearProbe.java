package dev.maskseg.zoo;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Resize;

/**
 * The linear classifier of the linear-probe protocol (docs/methods.md §2.7.1): a 1x1 conv with bias from frozen
 * features [B, C, h, w] to class logits, bilinearly upsampled to the label size. Named {@code weight}/{@code bias}
 * so it loads as MaskContrast's {@code decoder.4} once that prefix is stripped.
 */
public final class LinearProbe extends Module {
    public final Conv2d conv;

    public LinearProbe(int channels, int classes, Generator g) {
        conv = new Conv2d(channels, classes, 1, 1, 0, 1, 1, true, g);
        registerParameter("weight", conv.weight);
        registerParameter("bias", conv.bias);
    }

    @Override
    public Tensor forward(Tensor features) { return conv.forward(features); }

    /** Logits at (h, w), bilinear, align_corners false. */
    public Tensor forward(Tensor features, int h, int w) {
        return Resize.interpolate(conv.forward(features), h, w, Mode.BILINEAR, false);
    }
}
