package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Re-estimates BatchNorm running statistics of a random-init baseline before it is evaluated. Its initial statistics
 * (mean 0, var 1) shrink eval-mode features ~100x, and an SGD probe on features that small does not move, which would
 * make the baseline a measurement of scale rather than of features.
 */
public final class BatchNormRecalibration {
    private BatchNormRecalibration() {}

    /**
     * Forward passes in train mode over {@code images} (batches of {@code batch}, repeated {@code passes} times; no
     * gradients, weights untouched); the model is left in eval mode.
     */
    public static void recalibrate(MaskContrastModel model, List<Sample> images, int batch, int passes) {
        recalibrate(model, images, batch, passes, StageListener.NONE);
    }

    /** As {@link #recalibrate(MaskContrastModel, List, int, int)}, one step of the task "BatchNorm statistics" per batch. */
    public static void recalibrate(MaskContrastModel model, List<Sample> images, int batch, int passes, StageListener listener) {
        model.train(true);
        try (var ng = GradMode.noGrad(); StageListener.Task task = listener.task("BatchNorm statistics", (long) passes * (images.size() / batch), "batches")) {
            for (int p = 0; p < passes; p++) {
                for (int s = 0; s + batch <= images.size(); s += batch) {
                    List<Tensor> xs = new ArrayList<>();
                    for (int i = s; i < s + batch; i++) {
                        Sample smp = images.get(i);
                        xs.add(ImageTensors.normalize(Tensor.of(smp.rgb(), 1, 3, smp.height(), smp.width())));
                    }
                    model.features(Index.cat(xs, 0));
                    task.step();
                }
            }
        }
        model.eval();
    }
}
