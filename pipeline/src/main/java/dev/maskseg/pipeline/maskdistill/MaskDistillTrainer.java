package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Sgd;
import dev.maskseg.pipeline.data.Permutations;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.loss.HardPixelCrossEntropy;
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
 * {@code freezeEarlyLayers}, keeps conv1..layer2 fixed as {@code freeze_layers: 2}. A checkpoint (weights, momentum,
 * epoch) is written atomically after each epoch.
 */
public final class MaskDistillTrainer {
    public interface Listener {
        void step(int epoch, int step, int steps, double loss, double lr);

        /** After the epoch's checkpoint is written. */
        default void epochEnd(int epoch, double loss, double lr, double seconds) throws IOException {}
    }

    private final MaskDistillConfig cfg;
    public final Module model;
    private final Sgd sgd;
    private int epoch;
    private final List<Double> history = new ArrayList<>();

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

    public List<Double> history() { return List.copyOf(history); }

    /** Epochs done (restored by {@link #resume}). */
    public int epoch() { return epoch; }

    /** Trains the remaining epochs on images whose {@link Sample#mask()} holds pseudo labels (0..C). */
    public void train(List<Sample> data, Path checkpoint, Listener listener) throws IOException {
        int steps = data.size() / cfg.batch();
        if (steps == 0) throw new IllegalArgumentException("maskdistill: " + data.size() + " images, fewer than one batch of " + cfg.batch());
        for (; epoch < cfg.epochs(); ) {
            double lr = epoch >= cfg.lrStepEpoch() ? cfg.lr() * 0.1 : cfg.lr();
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
            history.add(sum / steps);
            epoch++;
            if (checkpoint != null) save(checkpoint);
            if (listener != null) listener.epochEnd(epoch - 1, sum / steps, lr, (System.nanoTime() - start) / 1e9);
        }
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

    /** Weights, SGD momentum, epoch and loss history, atomically ({@link Checkpoints}). */
    public void save(Path file) throws IOException {
        checkpoints().save(file, new Checkpoints.State(epoch, history.stream().map(l -> new double[]{l}).toList(), Map.of(), Map.of()));
    }

    /** Restores a checkpoint written by {@link #save} with the same configuration. */
    public void resume(Path file) throws IOException {
        Checkpoints.State s = checkpoints().restore(file);
        epoch = s.epoch();
        history.clear();
        for (double[] r : s.history()) history.add(r[0]);
    }

    private Checkpoints checkpoints() { return Checkpoints.of(cfg.toString()).module("model", model).optimizer(sgd); }
}
