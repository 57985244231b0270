package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.zoo.image.ImageTensors;

import java.util.ArrayList;
import java.util.List;

/** The frozen features a linear probe reads ({@link FrozenFeatures}) of a list of images, each at its own size. */
public final class DecoderFeatures {
    private DecoderFeatures() {}

    /** Features [1, C, h, w] of each image. */
    public static List<Tensor> of(Module model, List<Sample> images) { return of(FrozenFeatures.of(model), images); }

    public static List<Tensor> of(FrozenFeatures features, List<Sample> images) { return of(features, images, StageListener.NONE); }

    /** As {@link #of(Module, List)}, one step of the task "features" per image. */
    public static List<Tensor> of(Module model, List<Sample> images, StageListener listener) { return of(FrozenFeatures.of(model), images, listener); }

    /** As {@link #of(FrozenFeatures, List)}, one step of the task "features" per image. */
    public static List<Tensor> of(FrozenFeatures features, List<Sample> images, StageListener listener) {
        List<Tensor> out = new ArrayList<>();
        try (StageListener.Task task = listener.task("features", images.size(), "images")) {
            for (Sample s : images) {
                out.add(of(features, s));
                task.step();
            }
        }
        return out;
    }

    public static Tensor of(FrozenFeatures features, Sample s) {
        return features.of(ImageTensors.normalize(Tensor.of(s.rgb(), 1, 3, s.height(), s.width())));
    }
}
