package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.util.List;

/**
 * MaskContrast's per-image prototypes (docs/methods.md §2.7.2, §2.7.3): the embedding averaged over the salient pixels
 * (logit > 0.5), weighted by the logit, L2-normalized; and which pixels were salient. What the k-means protocol
 * clusters and the retrieval protocol matches.
 */
public record Prototypes(double[][] vectors, boolean[][] salient) {
    /** The model's prototypes of each image, in eval mode. */
    public static Prototypes of(MaskContrastModel model, List<Sample> images) { return of(model, images, StageListener.NONE); }

    /** As {@link #of(MaskContrastModel, List)}, one step of the task "prototypes" per image. */
    public static Prototypes of(MaskContrastModel model, List<Sample> images, StageListener listener) {
        model.eval();
        int n = images.size();
        double[][] v = new double[n][];
        boolean[][] sal = new boolean[n][];
        try (var ng = GradMode.noGrad(); StageListener.Task task = listener.task("prototypes", n, "images")) {
            for (int i = 0; i < n; i++) {
                Sample s = images.get(i);
                MaskContrastModel.Output o = model.run(ImageTensors.normalize(Tensor.of(s.rgb(), 1, 3, s.height(), s.width())));
                float[] e = o.embedding().contiguous().toFloatArray(), logit = o.saliency().contiguous().toFloatArray();
                int d = o.embedding().size(1), hw = s.width() * s.height();
                double[] p = new double[d];
                sal[i] = new boolean[hw];
                for (int q = 0; q < hw; q++) {
                    if (logit[q] <= 0.5f) continue;
                    sal[i][q] = true;
                    for (int c = 0; c < d; c++) p[c] += e[c * hw + q] * logit[q];
                }
                double norm = 0;
                for (double x : p) norm += x * x;
                norm = Math.max(Math.sqrt(norm), 1e-12);
                for (int c = 0; c < d; c++) p[c] /= norm;
                v[i] = p;
                task.step();
            }
        }
        return new Prototypes(v, sal);
    }
}
