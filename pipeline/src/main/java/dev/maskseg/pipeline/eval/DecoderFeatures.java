package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.util.ArrayList;
import java.util.List;

/** The frozen decoder features a linear probe reads (docs/methods.md §2.7.1), computed in eval mode without gradients. */
public final class DecoderFeatures {
    private DecoderFeatures() {}

    /** Features [1, C, h, w] of each image at its own size. */
    public static List<Tensor> of(MaskContrastModel model, List<Sample> images) { return of(model, images, StageListener.NONE); }

    /** As {@link #of(MaskContrastModel, List)}, one step of the task "features" per image. */
    public static List<Tensor> of(MaskContrastModel model, List<Sample> images, StageListener listener) {
        model.eval();
        List<Tensor> out = new ArrayList<>();
        try (var ng = GradMode.noGrad(); StageListener.Task task = listener.task("features", images.size(), "images")) {
            for (Sample s : images) {
                out.add(model.features(ImageTensors.normalize(Tensor.of(s.rgb(), 1, 3, s.height(), s.width()))).contiguous());
                task.step();
            }
        }
        return out;
    }
}
