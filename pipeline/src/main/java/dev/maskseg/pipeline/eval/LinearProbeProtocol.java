package dev.maskseg.pipeline.eval;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.predict.Labeller;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The linear-probe protocol of both methods (docs/methods.md §2.7.1 for MaskContrast, §3.8 for MaskDistill's DeepLab):
 * a new 1x1 conv on the frozen features before the model's last layer ({@link FrozenFeatures}), trained on the train
 * split at the working size; after every epoch it is scored on val at the working size (the official "online"
 * validation) and, as the official scripts do, the best-scoring epoch is kept (strictly better only; or the last with
 * {@link Recipe#bestOnVal} false). That probe predicts val at the working size, the predictions nearest-resized to the
 * stored size (or, with the CRF, its logits upsampled and refined there), scored against the stored labels without
 * matching. Training features are computed once per image and kept in memory, or with {@link Recipe#augment} a new
 * flip + ScaleNRotate view of each stored image (then resized) every epoch, features computed per batch, as the
 * official loaders; val features are likewise kept, or recomputed each epoch when augmenting.
 */
public final class LinearProbeProtocol {
    /**
     * @param epochs     epochs (MaskContrast 60, MaskDistill's {@code multi_obj_avg} 45)
     * @param batch      batch size (16; MaskDistill's {@code multi_obj_avg} 24)
     * @param lr         base lr (0.1)
     * @param decayEpoch lr x0.1 for epoch indices after this one (official 25)
     * @param augment    flip + ScaleNRotate views each epoch (the official loaders) instead of features computed once
     * @param bestOnVal  keep the epoch with the best val mIoU (official) instead of the last
     */
    public record Recipe(int epochs, int batch, double lr, int decayEpoch, boolean augment, boolean bestOnVal) {
        /** §2.7.1: 60 epochs, batch 16, lr 0.1, x0.1 after epoch 25, best on val. */
        public static Recipe maskContrast() { return new Recipe(60, 16, 0.1, 25, false, true); }

        /** §3.8 ({@code multi_obj_avg/linear/linear_deeplab_avg.yml}): 45 epochs, batch 24, lr 0.1, x0.1 after epoch 25, best on val. */
        public static Recipe maskDistill() { return new Recipe(45, 24, 0.1, 25, false, true); }

        /** The recipe of the model's method: MaskContrast's for a MaskContrast model, MaskDistill's for a segmenter. */
        public static Recipe forModel(Module model) { return model instanceof MaskContrastModel ? maskContrast() : maskDistill(); }

        public LinearProbes.Schedule schedule(int trainImages) { return new LinearProbes.Schedule(epochs, Math.min(batch, trainImages), lr, decayEpoch); }
    }

    /**
     * @param val           the selected probe's score on val at the stored resolution
     * @param probe         the selected probe
     * @param selectedEpoch its epoch (0-based)
     * @param onlineMiou    each epoch's val mIoU at the working size
     * @param scoredPixels  val pixels scored (not ignored), at the stored resolution
     */
    public record Result(Miou.Result val, LinearProbe probe, int selectedEpoch, double[] onlineMiou, long scoredPixels) {}

    private LinearProbeProtocol() {}

    public static Result run(Module model, EvalSplit train, EvalSplit val, int classes, Recipe recipe, DenseCrf.Params crf, long seed,
                             StageListener listener) throws IOException {
        FrozenFeatures features = FrozenFeatures.of(model);
        LinearProbes.requireOneSize(train.working(), "linear probe");
        int size = train.workingSize();
        List<Tensor> trainFeats = recipe.augment() ? null : DecoderFeatures.of(features, train.working(), listener);
        List<Tensor> valFeats = recipe.augment() ? null : DecoderFeatures.of(features, val.working(), listener);
        double[] online = new double[recipe.epochs()];
        LinearProbe[] best = {null};
        int[] bestEpoch = {-1};
        double[] bestMiou = {Double.NEGATIVE_INFINITY};
        LinearProbes.Schedule schedule = recipe.schedule(train.count());
        listener.start("linear probe", recipe.epochs(), 0, "epochs");
        try {
            LinearProbe last = LinearProbes.train((i, e) -> {
                if (trainFeats != null) return new LinearProbes.Example(trainFeats.get(i), train.working().get(i));
                Sample v = Transforms.fineTuneView(train.original().get(i), new SplittableRandom((seed * 1_000_003L + e) * 1_000_003L + i));
                if (size > 0) v = Transforms.resizeBicubic(v, size, size);
                return new LinearProbes.Example(DecoderFeatures.of(features, v), v);
            }, train.count(), classes, schedule, seed, (e, probe) -> {
                List<int[]> maps = new ArrayList<>();
                for (int i = 0; i < val.count(); i++) {
                    Tensor f = valFeats != null ? valFeats.get(i) : DecoderFeatures.of(features, val.working().get(i));
                    maps.add(LinearProbes.predict(probe, f, val.working().get(i), null));
                }
                online[e] = Miou.evaluate(val.workingConfusion(maps, classes), Miou.Matching.NONE).miou();
                if (!recipe.bestOnVal() || online[e] > bestMiou[0]) {
                    bestMiou[0] = online[e];
                    bestEpoch[0] = e;
                    best[0] = LinearProbes.copy(probe);
                }
                listener.advance(1, String.format(java.util.Locale.ROOT, "epoch %d/%d | lr %.4g | val mIoU %.4f | best %.4f (epoch %d)", e + 1, recipe.epochs(),
                        schedule.lr(e), online[e], bestMiou[0], bestEpoch[0] + 1));
            });
            if (best[0] == null) best[0] = last;
        } finally {
            listener.end();
        }
        LinearProbe probe = best[0];
        List<int[]> maps = new ArrayList<>();
        try (StageListener.Task task = listener.task(crf != null ? "probe predictions + CRF" : "probe predictions", val.count(), "images")) {
            for (Sample s : val.original()) {
                maps.add(Labeller.labels(x -> probe.forward(features.of(x), x.size(2), x.size(3)), s, val.workingSize(), crf));
                task.step();
            }
        }
        Confusion c = val.originalConfusion(maps, classes);
        return new Result(Miou.evaluate(c, Miou.Matching.NONE), probe, bestEpoch[0], online, c.total());
    }
}
