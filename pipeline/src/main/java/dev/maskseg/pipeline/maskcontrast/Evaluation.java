package dev.maskseg.pipeline.maskcontrast;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Sgd;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.KMeans;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * MaskContrast's evaluation protocols on a labelled split (methods.md §2.7): prototype k-means with Hungarian
 * matching, and the linear probe on frozen decoder features. Images are evaluated at their own size; samples carry
 * ground-truth labels (255 = ignore) in {@link Sample#mask()}.
 */
public final class Evaluation {
    private Evaluation() {}

    /** Per image: embedding prototype (L2-normalized) and salient pixels (logit > 0.5), in eval mode. */
    public record Prototypes(double[][] vectors, boolean[][] salient) {}

    public static Prototypes prototypes(MaskContrastModel model, List<Sample> images) {
        model.eval();
        int n = images.size();
        double[][] v = new double[n][];
        boolean[][] sal = new boolean[n][];
        try (var ng = GradMode.noGrad()) {
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
            }
        }
        return new Prototypes(v, sal);
    }

    /** PCA whitening of the rows to {@code dims} components (sklearn PCA(whiten=True)). */
    static double[][] whiten(double[][] x, int dims) {
        int n = x.length, d = x[0].length;
        double[] mean = new double[d];
        for (double[] r : x) for (int c = 0; c < d; c++) mean[c] += r[c] / n;
        double[][] cov = new double[d][d];
        for (double[] r : x) for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) cov[a][b] += (r[a] - mean[a]) * (r[b] - mean[b]) / Math.max(1, n - 1);
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov));
        double[] values = eig.getRealEigenvalues();
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        int k = Math.min(dims, Math.min(d, n));
        RealMatrix vecs = eig.getV();
        double[][] out = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double s = 0;
                for (int c = 0; c < d; c++) s += (x[i][c] - mean[c]) * vecs.getEntry(c, order[j]);
                out[i][j] = s / Math.sqrt(Math.max(values[order[j]], 1e-12));
            }
        }
        return out;
    }

    /** The official protocol's PCA size (§2.7.2). */
    public static final int PCA_DIMS = 32;

    /** Label maps: 0 where not salient, cluster + 1 elsewhere; {@code clusters} = classes − 1 (§2.7.2). */
    public static List<int[]> kmeansPredictions(Prototypes p, int clusters, long seed) { return kmeansPredictions(p, clusters, PCA_DIMS, seed); }

    /** As above with {@code pcaDims} whitened components (at most the embedding size and the number of images). */
    public static List<int[]> kmeansPredictions(Prototypes p, int clusters, int pcaDims, long seed) {
        double[][] z = whiten(p.vectors(), pcaDims);
        int[] assign = KMeans.assign(z, clusters, seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < z.length; i++) {
            int[] m = new int[p.salient()[i].length];
            for (int q = 0; q < m.length; q++) m[q] = p.salient()[i][q] ? assign[i] + 1 : 0;
            out.add(m);
        }
        return out;
    }

    /** Mean Hungarian mIoU of k-means over the seeds (§2.7.2 uses 1234..1238). */
    public static double kmeansMiou(MaskContrastModel model, List<Sample> val, int classes, long[] seeds) {
        Prototypes p = prototypes(model, val);
        double sum = 0;
        for (long seed : seeds) sum += Miou.evaluate(confusion(kmeansPredictions(p, classes - 1, seed), val, classes), Miou.Matching.HUNGARIAN).miou();
        return sum / seeds.length;
    }

    public static Confusion confusion(List<int[]> predictions, List<Sample> gt, int classes) {
        Confusion c = new Confusion(classes, 255);
        for (int i = 0; i < gt.size(); i++) {
            byte[] g = gt.get(i).mask();
            int[] labels = new int[g.length];
            for (int q = 0; q < g.length; q++) labels[q] = g[q] & 255;
            c.add(predictions.get(i), labels);
        }
        return c;
    }

    /**
     * Re-estimates BatchNorm running statistics by forward passes in train mode over {@code images} (batches of
     * {@code batch}, repeated {@code passes} times; no gradients, weights untouched). Used for the random-init
     * baseline: its initial statistics (mean 0, var 1) shrink eval-mode features ~100x, and an SGD probe on features
     * that small does not move, which would make the baseline a measurement of scale rather than of features.
     */
    public static void recalibrateBatchNorm(MaskContrastModel model, List<Sample> images, int batch, int passes) {
        model.train(true);
        try (var ng = GradMode.noGrad()) {
            for (int p = 0; p < passes; p++) {
                for (int s = 0; s + batch <= images.size(); s += batch) {
                    List<Tensor> xs = new ArrayList<>();
                    for (int i = s; i < s + batch; i++) {
                        Sample smp = images.get(i);
                        xs.add(ImageTensors.normalize(Tensor.of(smp.rgb(), 1, 3, smp.height(), smp.width())));
                    }
                    model.features(dev.maskseg.engine.ops.Index.cat(xs, 0));
                }
            }
        }
        model.eval();
    }

    /** Frozen decoder features [1, C, h, w] of each image, in eval mode. */
    public static List<Tensor> features(MaskContrastModel model, List<Sample> images) {
        model.eval();
        List<Tensor> out = new ArrayList<>();
        try (var ng = GradMode.noGrad()) {
            for (Sample s : images) out.add(model.features(ImageTensors.normalize(Tensor.of(s.rgb(), 1, 3, s.height(), s.width()))).contiguous());
        }
        return out;
    }

    /** One training example of the probe: frozen features [1, C, h, w] and the labels of the same view. */
    public record ProbeExample(Tensor features, Sample labels) {}

    /** A linear probe on precomputed features of the unaugmented images. */
    public static LinearProbe trainProbe(List<Tensor> feats, List<Sample> train, int classes, int epochs, int batch, double lr, long seed) {
        return trainProbe((i, e) -> new ProbeExample(feats.get(i), train.get(i)), feats.size(), classes, epochs, batch, lr, seed);
    }

    /**
     * A linear probe with §2.7.1's augmentation: every epoch each image is a new flip + ScaleNRotate view (seeded by
     * seed, epoch, index) whose features are computed when its batch is drawn, so memory holds one batch.
     */
    public static LinearProbe trainProbeAugmented(MaskContrastModel model, List<Sample> train, int classes, int epochs, int batch, double lr, long seed) {
        return trainProbe((i, e) -> {
            Sample v = Transforms.fineTuneView(train.get(i), new SplittableRandom((seed * 1_000_003L + e) * 1_000_003L + i));
            return new ProbeExample(features(model, List.of(v)).get(0), v);
        }, train.size(), classes, epochs, batch, lr, seed);
    }

    /**
     * A linear probe (1x1 conv, N(0, 0.01) init) trained by SGD (momentum 0.9, wd 1e-4) with CE (ignore 255) and the
     * step schedule; {@code data(i, epoch)} gives image i's example in that epoch; the images share one size.
     */
    public static LinearProbe trainProbe(BiFunction<Integer, Integer, ProbeExample> data, int n, int classes, int epochs, int batch, double lr, long seed) {
        int c = data.apply(0, 0).features().size(1);
        LinearProbe probe = new LinearProbe(c, classes, new Generator(seed));
        try (var ng = GradMode.noGrad()) {
            probe.conv.weight.copy_(Tensor.randn(new Generator(seed), probe.conv.weight.shape()).mul(0.01));
            probe.conv.bias.copy_(Tensor.zeros(classes));
        }
        Sgd sgd = new Sgd(List.of(new ParamGroup(probe.parameters(), lr, 1e-4)), 0.9, false);
        SplittableRandom r = new SplittableRandom(seed);
        for (int e = 0; e < epochs; e++) {
            sgd.setLearningRate(e > epochs * 25 / 60 ? lr * 0.1 : lr); // §2.7.1: 0.1 until epoch 25 of 60, then 0.01
            int[] idx = dev.maskseg.pipeline.data.Permutations.shuffle(n, r);
            for (int s = 0; s + batch <= n; s += batch) {
                List<Tensor> xs = new ArrayList<>();
                int h = -1, w = -1;
                long[] ys = null;
                for (int i = 0; i < batch; i++) {
                    ProbeExample ex = data.apply(idx[s + i], e);
                    Sample smp = ex.labels();
                    if (ys == null) {
                        h = smp.height();
                        w = smp.width();
                        ys = new long[batch * h * w];
                    }
                    xs.add(ex.features());
                    for (int q = 0; q < h * w; q++) ys[i * h * w + q] = smp.mask()[q] & 255;
                }
                Tensor logits = probe.forward(dev.maskseg.engine.ops.Index.cat(xs, 0), h, w);
                Tensor loss = Losses.crossEntropy(logits, Tensor.ofLongs(ys, batch, h, w), null, 255, Losses.Reduction.MEAN);
                sgd.zeroGrad();
                loss.backward();
                sgd.step();
            }
        }
        return probe;
    }

    /** Probe labels refined by the dense CRF (§1.5) on each image. */
    public static List<int[]> probePredictionsWithCrf(LinearProbe probe, List<Tensor> feats, List<Sample> images, DenseCrf.Params crf) {
        List<int[]> out = new ArrayList<>();
        try (var ng = GradMode.noGrad()) {
            for (int i = 0; i < feats.size(); i++) {
                Sample s = images.get(i);
                out.add(DenseCrf.refine(probe.forward(feats.get(i), s.height(), s.width()), s, crf));
            }
        }
        return out;
    }

    public static List<int[]> probePredictions(LinearProbe probe, List<Tensor> feats, List<Sample> images) {
        List<int[]> out = new ArrayList<>();
        try (var ng = GradMode.noGrad()) {
            for (int i = 0; i < feats.size(); i++) {
                Sample s = images.get(i);
                long[] a = probe.forward(feats.get(i), s.height(), s.width()).argmax(1, false).to(DType.INT64).toLongArray();
                int[] m = new int[a.length];
                for (int q = 0; q < a.length; q++) m[q] = (int) a[q];
                out.add(m);
            }
        }
        return out;
    }
}
