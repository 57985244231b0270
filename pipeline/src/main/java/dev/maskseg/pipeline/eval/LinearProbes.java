package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.StageListener;
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
import dev.maskseg.zoo.LinearProbe;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * Training a linear probe (docs/methods.md §2.7.1, §3.8): a 1x1 conv (N(0, 0.01) init, bias 0) on frozen features,
 * trained by SGD (momentum 0.9, wd 1e-4) with cross-entropy (ignore 255) and the step schedule, predicted by its
 * arg-max without matching. {@link LinearProbeProtocol} is the whole protocol (best-on-val, scoring).
 */
public final class LinearProbes {
    private LinearProbes() {}

    /** One training example of the probe: frozen features [1, C, h, w] and the labels of the same view. */
    public record Example(Tensor features, Sample labels) {}

    /**
     * The optimisation: {@code epochs} of batches of {@code batch}, lr {@code lr} for epoch indices up to
     * {@code decayEpoch} and 0.1·lr after it (the official {@code epoch > 25}).
     */
    public record Schedule(int epochs, int batch, double lr, int decayEpoch) {
        public Schedule {
            if (epochs < 1 || batch < 1) throw new IllegalArgumentException("linear probe: epochs and batch must be >= 1, got " + epochs + " and " + batch);
            if (!(lr > 0)) throw new IllegalArgumentException("linear probe: lr must be > 0, got " + lr);
        }

        public double lr(int epoch) { return epoch > decayEpoch ? lr * 0.1 : lr; }
    }

    /** Called after each epoch with the probe as it is then; may throw to stop. */
    public interface EpochEnd {
        void after(int epoch, LinearProbe probe) throws IOException;
    }

    /** A probe on precomputed features of the unaugmented images. */
    public static LinearProbe train(List<Tensor> feats, List<Sample> train, int classes, Schedule schedule, long seed) throws IOException {
        return train((i, e) -> new Example(feats.get(i), train.get(i)), feats.size(), classes, schedule, seed, null);
    }

    /** As {@link #train(List, List, int, Schedule, long)}, one step of the task "linear probe" per epoch. */
    public static LinearProbe train(List<Tensor> feats, List<Sample> train, int classes, Schedule schedule, long seed, StageListener listener)
            throws IOException {
        try (StageListener.Task task = listener.task("linear probe", schedule.epochs(), "epochs")) {
            return train((i, e) -> new Example(feats.get(i), train.get(i)), feats.size(), classes, schedule, seed,
                    (e, probe) -> task.step(String.format(java.util.Locale.ROOT, "epoch %d/%d | lr %.4g", e + 1, schedule.epochs(), schedule.lr(e))));
        }
    }

    /**
     * A probe trained on {@code data(i, epoch)}, image i's example in that epoch (the images share one size);
     * {@code epochEnd} (may be null) sees the probe after every epoch.
     */
    public static LinearProbe train(BiFunction<Integer, Integer, Example> data, int n, int classes, Schedule schedule, long seed, EpochEnd epochEnd)
            throws IOException {
        if (n < schedule.batch()) throw new IllegalArgumentException("linear probe: " + n + " training images, fewer than one batch of " + schedule.batch());
        int c = data.apply(0, 0).features().size(1);
        LinearProbe probe = new LinearProbe(c, classes, new Generator(seed));
        try (var ng = GradMode.noGrad()) {
            probe.conv.weight.copy_(Tensor.randn(new Generator(seed), probe.conv.weight.shape()).mul(0.01));
            probe.conv.bias.copy_(Tensor.zeros(classes));
        }
        int batch = schedule.batch();
        Sgd sgd = new Sgd(List.of(new ParamGroup(probe.parameters(), schedule.lr(), 1e-4)), 0.9, false);
        SplittableRandom r = new SplittableRandom(seed);
        for (int e = 0; e < schedule.epochs(); e++) {
            sgd.setLearningRate(schedule.lr(e));
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
                    if (smp.width() != w || smp.height() != h) {
                        throw new IllegalArgumentException("linear probe: training images of " + w + "x" + h + " and " + smp.width() + "x" + smp.height()
                                + " in one batch; pass --size 512 as the official protocol");
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
            if (epochEnd != null) epochEnd.after(e, probe);
        }
        return probe;
    }

    /** The probe's labels of each image (features from {@link DecoderFeatures}) at its own size; with {@code crf}, refined by the dense CRF (§1.5). */
    public static List<int[]> predict(LinearProbe probe, List<Tensor> feats, List<Sample> images, DenseCrf.Params crf) {
        return predict(probe, feats, images, crf, StageListener.NONE);
    }

    /** As {@link #predict(LinearProbe, List, List, DenseCrf.Params)}, one step of the task "probe predictions" per image. */
    public static List<int[]> predict(LinearProbe probe, List<Tensor> feats, List<Sample> images, DenseCrf.Params crf, StageListener listener) {
        List<int[]> out = new ArrayList<>();
        try (StageListener.Task task = listener.task(crf != null ? "probe predictions + CRF" : "probe predictions", feats.size(), "images")) {
            for (int i = 0; i < feats.size(); i++) {
                out.add(predict(probe, feats.get(i), images.get(i), crf));
                task.step();
            }
        }
        return out;
    }

    public static int[] predict(LinearProbe probe, Tensor features, Sample image, DenseCrf.Params crf) {
        try (var ng = GradMode.noGrad()) {
            Tensor logits = probe.forward(features, image.height(), image.width());
            return crf != null ? DenseCrf.refine(logits, image, crf) : argmax(logits);
        }
    }

    /** Arg-max over the classes of logits [1, K, H, W]. */
    public static int[] argmax(Tensor logits) {
        long[] a = logits.argmax(1, false).to(DType.INT64).toLongArray();
        int[] m = new int[a.length];
        for (int q = 0; q < a.length; q++) m[q] = (int) a[q];
        return m;
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

    /** A copy of the probe's weights (the best-on-val snapshot). */
    public static LinearProbe copy(LinearProbe probe) {
        LinearProbe c = new LinearProbe(probe.conv.weight.size(1), probe.conv.weight.size(0), new Generator(0));
        try (var ng = GradMode.noGrad()) {
            c.conv.weight.copy_(probe.conv.weight.detach());
            c.conv.bias.copy_(probe.conv.bias.detach());
        }
        return c;
    }
}
