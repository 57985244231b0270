package dev.maskseg.pipeline.eval;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Sgd;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.Permutations;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * The linear-probe protocol (docs/methods.md §2.7.1): a 1x1 conv on frozen decoder features ({@link DecoderFeatures}),
 * trained by SGD with cross-entropy (ignore 255) and the step schedule, evaluated by its arg-max without matching.
 */
public final class LinearProbes {
    private LinearProbes() {}

    /** One training example of the probe: frozen features [1, C, h, w] and the labels of the same view. */
    public record Example(Tensor features, Sample labels) {}

    /** A probe on precomputed features of the unaugmented images. */
    public static LinearProbe train(List<Tensor> feats, List<Sample> train, int classes, int epochs, int batch, double lr, long seed) {
        return train((i, e) -> new Example(feats.get(i), train.get(i)), feats.size(), classes, epochs, batch, lr, seed);
    }

    /**
     * A probe with §2.7.1's augmentation: every epoch each image is a new flip + ScaleNRotate view (seeded by seed,
     * epoch, index) whose features are computed when its batch is drawn, so memory holds one batch.
     */
    public static LinearProbe trainAugmented(MaskContrastModel model, List<Sample> train, int classes, int epochs, int batch, double lr, long seed) {
        return train((i, e) -> {
            Sample v = Transforms.fineTuneView(train.get(i), new SplittableRandom((seed * 1_000_003L + e) * 1_000_003L + i));
            return new Example(DecoderFeatures.of(model, List.of(v)).get(0), v);
        }, train.size(), classes, epochs, batch, lr, seed);
    }

    /**
     * A probe (1x1 conv, N(0, 0.01) init) trained by SGD (momentum 0.9, wd 1e-4) with CE (ignore 255) and the step
     * schedule; {@code data(i, epoch)} gives image i's example in that epoch; the images share one size.
     */
    public static LinearProbe train(BiFunction<Integer, Integer, Example> data, int n, int classes, int epochs, int batch, double lr, long seed) {
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
            int[] idx = Permutations.shuffle(n, r);
            for (int s = 0; s + batch <= n; s += batch) {
                List<Tensor> xs = new ArrayList<>();
                int h = -1, w = -1;
                long[] ys = null;
                for (int i = 0; i < batch; i++) {
                    Example ex = data.apply(idx[s + i], e);
                    Sample smp = ex.labels();
                    if (ys == null) {
                        h = smp.height();
                        w = smp.width();
                        ys = new long[batch * h * w];
                    }
                    xs.add(ex.features());
                    for (int q = 0; q < h * w; q++) ys[i * h * w + q] = smp.mask()[q] & 255;
                }
                Tensor logits = probe.forward(Index.cat(xs, 0), h, w);
                Tensor loss = Losses.crossEntropy(logits, Tensor.ofLongs(ys, batch, h, w), null, 255, Losses.Reduction.MEAN);
                sgd.zeroGrad();
                loss.backward();
                sgd.step();
            }
        }
        return probe;
    }

    /** The probe's labels of each image (features from {@link DecoderFeatures}); with {@code crf}, refined by the dense CRF (§1.5). */
    public static List<int[]> predict(LinearProbe probe, List<Tensor> feats, List<Sample> images, DenseCrf.Params crf) {
        List<int[]> out = new ArrayList<>();
        try (var ng = GradMode.noGrad()) {
            for (int i = 0; i < feats.size(); i++) {
                Sample s = images.get(i);
                Tensor logits = probe.forward(feats.get(i), s.height(), s.width());
                if (crf != null) {
                    out.add(DenseCrf.refine(logits, s, crf));
                    continue;
                }
                long[] a = logits.argmax(1, false).to(DType.INT64).toLongArray();
                int[] m = new int[a.length];
                for (int q = 0; q < a.length; q++) m[q] = (int) a[q];
                out.add(m);
            }
        }
        return out;
    }

    /** An error naming {@code where} when the training images differ in size (the probe trains on batches of one size). */
    public static void requireOneSize(List<Sample> train, String where) {
        for (Sample s : train) {
            if (s.width() != train.get(0).width() || s.height() != train.get(0).height()) {
                throw new IllegalArgumentException(where + ": training images differ in size (" + train.get(0).width() + "x" + train.get(0).height()
                        + " and " + s.width() + "x" + s.height() + "); pass --size 512 as the official protocol");
            }
        }
    }
}
