package dev.maskseg.pipeline.loss;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.engine.ops.Reduce;

/**
 * MaskDistill's hard-pixel-mining cross-entropy (docs/methods.md §3.6, CrossEntropyOHEM): per-pixel CE with ignore 255,
 * k = min(floor(fraction · all pixels of the batch, ignored included), valid pixels), mean of the k largest.
 */
public final class HardPixelCrossEntropy {
    private HardPixelCrossEntropy() {}

    public static Tensor compute(Tensor logits, Tensor target, double fraction) {
        Tensor per = Losses.crossEntropy(logits, target, null, 255, Losses.Reduction.NONE);
        per = per.reshape(per.numel());
        long valid = 0;
        for (long t : target.to(DType.INT64).contiguous().toLongArray()) if (t != 255) valid++;
        int k = (int) Math.min((long) Math.floor(fraction * target.numel()), valid);
        if (k == 0) return per.sum().mul(0);
        return Reduce.topk(per, k, 0, true).values().mean();
    }
}
