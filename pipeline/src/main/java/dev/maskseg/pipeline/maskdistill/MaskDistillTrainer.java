package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Sgd;
import dev.maskseg.pipeline.data.Permutations;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.EvalSplit;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.loss.HardPixelCrossEntropy;
import dev.maskseg.pipeline.predict.Labeller;
import dev.maskseg.pipeline.train.Checkpoints;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.pipeline.train.ResNetInit;
import dev.maskseg.zoo.SmallSegmenter;
import dev.maskseg.zoo.deeplab.SegmentationModel;
import dev.maskseg.zoo.image.ImageTensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * MaskDistill's last stage (docs/methods.md §3.6): a segmentation network trained on pseudo semantic maps with the
 * hard-pixel-mining cross-entropy, SGD with one step decay, flip + ScaleNRotate augmentation. Every draw derives from
 * (seed, epoch, step, index). The resnet50 backbone starts from {@code pretrained} (MoCo or ImageNet) and, with
 * {@code freezeEarlyLayers}, keeps conv1..layer2 fixed as {@code freeze_layers: 2}. With a {@link #validation} split
 * each epoch is scored on it at the working size and the best epoch's network is written (strictly better replaces,
 * as the official {@code best_model}). A checkpoint (weights, momentum, epoch, per-epoch loss and val mIoU, the best
 * so far) is written atomically after each epoch.
 */
public final class MaskDistillTrainer {
    public interface Listener {
        void step(int epoch, int step, int steps, double loss, double lr);

        /** After the epoch's checkpoint is written; {@code valMiou} is NaN without validation. */
        default void epochEnd(int epoch, double loss, double valMiou, double lr, double seconds) throws IOException {}
    }

    /** The per-epoch validation: the split, its classes, the matching of the network's labels, where the best network goes. */
    public record Validation(EvalSplit split, int classes, Miou.Matching matching, Path bestModel) {}

    private final MaskDistillConfig cfg;
    public final Module model;
    private final Sgd sgd;
    private int epoch;
    private final List<double[]> history = new ArrayList<>(); // per epoch: loss, val mIoU (NaN without validation)
    private Validation validation;
    private double bestMiou = Double.NEGATIVE_INFINITY;
    private int bestEpoch = -1;

    public MaskDistillTrainer(MaskDistillConfig cfg) throws IOException {
        this.cfg = cfg;
        model = create(cfg, cfg.seed());
        if (!cfg.pretrained().isEmpty()) ResNetInit.loadPretrained(backbone(model), Path.of(cfg.pretrained()));
        if (cfg.freezeEarlyLayers()) ResNetInit.freezeEarlyStages(backbone(model), "maskdistill");
        List<Tensor> trainable = model.parameters().stream().filter(Tensor::requiresGrad).toList();
        sgd = new Sgd(List.of(new ParamGroup(trainable, cfg.lr(), cfg.weightDecay())), cfg.momentum(), false);
    }

    private static Module backbone(Module model) {
        return model instanceof SegmentationModel m ? m.backbone : ((SmallSegmenter) model).body.backbone;
    }

    public static Module create(MaskDistillConfig cfg, long seed) {
        Generator g = new Generator(seed);
        return switch (cfg.backbone()) {
            case "small" -> new SmallSegmenter(cfg.width(), cfg.clusters() + 1, g);
            case "resnet50" -> SegmentationModel.deeplabv3(cfg.clusters() + 1, g);
            default -> throw new IllegalArgumentException("maskdistill: unknown backbone '" + cfg.backbone() + "' (small, resnet50)");
        };
    }

    /** Per epoch: mean loss and val mIoU (NaN without validation). */
    public List<double[]> history() { return List.copyOf(history); }

    /** Scores every epoch on {@code v} and keeps the best network in its file. */
    public MaskDistillTrainer validation(Validation v) {
        validation = v;
        return this;
    }

    /** The best val mIoU so far and its epoch (0-based; -1 before any validated epoch). */
    public double bestMiou() { return bestMiou; }

    public int bestEpoch() { return bestEpoch; }

    /** The step schedule of docs/methods.md §3.6: lr until epoch index {@code lrStepEpoch}, 0.1·lr after it (official {@code epoch > 40}: 41..44). */
    public static double learningRate(MaskDistillConfig cfg, int epoch) {
        return epoch > cfg.lrStepEpoch() ? cfg.lr() * 0.1 : cfg.lr();
    }

    /** Epochs done (restored by {@link #resume}). */
    public int epoch() { return epoch; }

    /** Trains the remaining epochs on images whose {@link Sample#mask()} holds pseudo labels (0..C). */
    public void train(List<Sample> data, Path checkpoint, Listener listener) throws IOException {
        int steps = data.size() / cfg.batch();
        if (steps == 0) throw new IllegalArgumentException("maskdistill: " + data.size() + " images, fewer than one batch of " + cfg.batch());
        for (; epoch < cfg.epochs(); ) {
            double lr = learningRate(cfg, epoch);
            sgd.setLearningRate(lr);
            int[] order = Permutations.shuffle(data.size(), new SplittableRandom(cfg.seed() * 1_000_003L + epoch));
            double sum = 0;
            long start = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                int step = s;
                Sample[] views = new Sample[cfg.batch()];
                IntStream.range(0, cfg.batch()).parallel().forEach(i -> {
                    SplittableRandom r = new SplittableRandom(((cfg.seed() * 31 + epoch) * 1_000_003L + step) * 131 + i);
                    Sample v = Transforms.fineTuneView(data.get(order[step * cfg.batch() + i]), r);
                    views[i] = cfg.size() > 0 ? Transforms.resizeBicubic(v, cfg.size(), cfg.size()) : v;
                });
                model.train(true);
                if (cfg.freezeEarlyLayers()) ResNetInit.keepEarlyStagesInEval(backbone(model));
                Tensor logits = model.forward(images(views));
                Tensor loss = HardPixelCrossEntropy.compute(logits, labels(views), cfg.hardFraction());
                sgd.zeroGrad();
                loss.backward();
                sgd.step();
                sum += loss.item();
                if (listener != null) listener.step(epoch, s, steps, loss.item(), lr);
            }
            double valMiou = validation == null ? Double.NaN : validate();
            if (validation != null && valMiou > bestMiou) {
                bestMiou = valMiou;
                bestEpoch = epoch;
                saveModel(validation.bestModel()); // before the checkpoint that records it
            }
            history.add(new double[]{sum / steps, valMiou});
            epoch++;
            if (checkpoint != null) save(checkpoint);
            if (listener != null) listener.epochEnd(epoch - 1, sum / steps, valMiou, lr, (System.nanoTime() - start) / 1e9);
        }
    }

    /** The network's mIoU on the validation split at the working size (the official "online" score), its labels matched as configured. */
    private double validate() {
        Confusion c = new Confusion(validation.classes(), 255);
        EvalSplit v = validation.split();
        model.eval();
        for (int i = 0; i < v.count(); i++) {
            Sample s = v.working().get(i);
            int[] gt = new int[s.mask().length];
            for (int q = 0; q < gt.length; q++) gt[q] = s.mask()[q] & 255;
            c.add(Labeller.labels(model::forward, s, 0, null), gt);
        }
        return Miou.evaluate(c, validation.matching()).miou();
    }

    private static Tensor images(Sample[] views) {
        int h = views[0].height(), w = views[0].width(), n = h * w;
        float[] d = new float[views.length * 3 * n];
        for (int i = 0; i < views.length; i++) {
            if (views[i].width() != w || views[i].height() != h) {
                throw new IllegalArgumentException("maskdistill: images of " + w + "x" + h + " and " + views[i].width() + "x" + views[i].height()
                        + " in one batch; set size (official 512)");
            }
            System.arraycopy(views[i].rgb(), 0, d, i * 3 * n, 3 * n);
        }
        return ImageTensors.normalize(Tensor.of(d, views.length, 3, h, w));
    }

    private static Tensor labels(Sample[] views) {
        int n = views[0].width() * views[0].height();
        long[] y = new long[views.length * n];
        for (int i = 0; i < views.length; i++) for (int p = 0; p < n; p++) y[i * n + p] = views[i].mask()[p] & 255;
        return Tensor.ofLongs(y, views.length, views[0].height(), views[0].width());
    }

    /** The trained network with the metadata that rebuilds it ({@link ModelFiles#loadMaskDistill}). */
    public void saveModel(Path file) throws IOException { ModelFiles.saveMaskDistill(file, model, cfg); }

    /** Weights, SGD momentum, epoch, history and the best val epoch, atomically ({@link Checkpoints}). */
    public void save(Path file) throws IOException {
        checkpoints().save(file, new Checkpoints.State(epoch, history, Map.of(),
                Map.of("best_val_miou", Double.toString(bestMiou), "best_epoch", Integer.toString(bestEpoch))));
    }

    /** Restores a checkpoint written by {@link #save} with the same configuration. */
    public void resume(Path file) throws IOException {
        Checkpoints.State s = checkpoints().restore(file);
        epoch = s.epoch();
        history.clear();
        for (double[] r : s.history()) history.add(r.length > 1 ? r : new double[]{r[0], Double.NaN});
        bestMiou = Double.parseDouble(s.values().getOrDefault("best_val_miou", "-Infinity"));
        bestEpoch = Integer.parseInt(s.values().getOrDefault("best_epoch", "-1"));
    }

    private Checkpoints checkpoints() { return Checkpoints.of(cfg.trainingIdentity()).module("model", model).optimizer(sgd); }
}
