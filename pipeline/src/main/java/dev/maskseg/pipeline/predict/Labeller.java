package dev.maskseg.pipeline.predict;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.ops.Resize;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.eval.EvalSplit;
import dev.maskseg.pipeline.eval.LinearProbes;
import dev.maskseg.zoo.image.ImageTensors;

import java.util.function.UnaryOperator;

/**
 * A class-predicting network's label map of one stored image, as the official {@code save_results_to_disk} makes it
 * (docs/methods.md §1.5, §3.6): the image resized to the working size (size x size, bicubic; 0 keeps it), logits,
 * arg-max, nearest-resized back to the stored size; with the dense CRF, the logits are instead bilinearly upsampled to
 * the stored size and refined there with the stored image ({@code dense_crf}).
 */
public final class Labeller {
    private Labeller() {}

    /** {@code logits}: normalized image [1, 3, H, W] → logits [1, K, H, W] at the same size. */
    public static int[] labels(UnaryOperator<Tensor> logits, Sample stored, int size, DenseCrf.Params crf) {
        Sample working = size > 0 ? Transforms.resizeBicubic(stored, size, size) : stored;
        try (var ng = GradMode.noGrad()) {
            Tensor l = logits.apply(ImageTensors.normalize(Tensor.of(working.rgb(), 1, 3, working.height(), working.width())));
            if (crf != null) {
                if (l.size(2) != stored.height() || l.size(3) != stored.width()) l = Resize.interpolate(l, stored.height(), stored.width(), Mode.BILINEAR, false);
                return DenseCrf.refine(l, stored, crf);
            }
            return EvalSplit.resizeNearest(LinearProbes.argmax(l), working.width(), working.height(), stored.width(), stored.height());
        }
    }
}
