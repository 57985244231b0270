package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Sgd;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.Permutations;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.loss.HardPixelCrossEntropy;
import dev.maskseg.pipeline.train.ResNetInit;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.deeplab.SegmentationModel;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import dev.maskseg.zoo.weights.NameMapping;
import dev.maskseg.zoo.weights.WeightFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * MaskDistill's last stage (methods.md §3.6): a segmentation network trained on pseudo semantic maps with the
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

    /** The small demo network: the MaskContrast demo backbone and decoder with a 1x1 classifier (C + 1 labels). */
    public static final class SmallSegmenter extends Module {
        public final MaskContrastModel body;
        public final LinearProbe classifier;

        SmallSegmenter(int width, int labels, Generator g) {
            body = registerModule("body", MaskContrastModel.small(8, width, g));
            classifier = registerModule("classifier", new LinearProbe(width, labels, g));
        }

        public Tensor features(Tensor x) { return body.features(x); }

        @Override
        public Tensor forward(Tensor x) { return classifier.forward(body.features(x), x.size(2), x.size(3)); }
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

    /** Arg-max label map per image, at the image's size, in eval mode. */
    public static List<int[]> predict(Module model, List<Sample> images) {
        return predict(model, images, null);
    }

    /** As above; with {@code crf}, the logits are refined by the dense CRF (§1.5) before the arg-max. */
    public static List<int[]> predict(Module model, List<Sample> images, DenseCrf.Params crf) {
        model.eval();
        List<int[]> out = new ArrayList<>();
        try (var ng = GradMode.noGrad()) {
            for (Sample s : images) {
                Tensor logits = model.forward(ImageTensors.normalize(Tensor.of(s.rgb(), 1, 3, s.height(), s.width())));
                if (crf != null) {
                    out.add(DenseCrf.refine(logits, s, crf));
                    continue;
                }
                long[] a = logits.argmax(1, false).to(DType.INT64).toLongArray();
                int[] m = new int[a.length];
                for (int i = 0; i < a.length; i++) m[i] = (int) a[i];
                out.add(m);
            }
        }
        return out;
    }

    /** The trained network with the metadata that rebuilds it ({@link #loadModel}). */
    public void saveModel(Path file) throws IOException {
        SafeTensors.write(file, model.stateDict(), Map.of("model", "maskdistill", "backbone", cfg.backbone(),
                "width", Integer.toString(cfg.width()), "labels", Integer.toString(cfg.clusters() + 1)));
    }

    /** Whether {@code file} was written by {@link #saveModel}. */
    public static boolean isModel(Path file) throws IOException {
        return file.toString().endsWith(".safetensors") && "maskdistill".equals(SafeTensors.metadata(file).get("model"));
    }

    /** A model written by {@link #saveModel}, or a DeepLab-v3 checkpoint with MaskDistill's {@code backbone./head.} names. */
    public static Module loadModel(Path file) throws IOException {
        Map<String, String> meta = file.toString().endsWith(".safetensors") ? SafeTensors.metadata(file) : Map.of();
        Map<String, Tensor> weights = WeightFiles.read(file);
        String backbone = meta.getOrDefault("backbone", "resnet50");
        Module m;
        if (backbone.equals("small")) {
            m = new SmallSegmenter(Integer.parseInt(meta.get("width")), Integer.parseInt(meta.get("labels")), new Generator(0));
        } else {
            Tensor last = weights.entrySet().stream().filter(e -> e.getKey().matches("(module\\.)?(head|classifier)\\.4\\.weight"))
                    .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new IOException(file + ": no head.4.weight; not a MaskDistill DeepLab-v3"));
            m = SegmentationModel.deeplabv3(last.size(0), new Generator(0));
            weights = NameMapping.deeplab().apply(weights, m.stateDict()).state();
        }
        try {
            m.loadStateDict(weights, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a MaskDistill model (" + backbone + "): " + e.getMessage(), e);
        }
        return m;
    }

    public void save(Path file) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> t.put("model." + k, v));
        sgd.stateDict().forEach((k, v) -> t.put("optim." + k, v));
        StringBuilder h = new StringBuilder();
        for (double x : history) h.append(x).append(';');
        SafeTensors.write(file, t, Map.of("epoch", Integer.toString(epoch), "optim_steps", Long.toString(sgd.stepCount()),
                "history", h.toString(), "config", cfg.toString()));
    }

    public void resume(Path file) throws IOException {
        if (!Files.exists(file)) throw new IOException("resume: no checkpoint " + file);
        Map<String, String> meta = SafeTensors.metadata(file);
        if (!cfg.toString().equals(meta.get("config"))) throw new IOException(file + ": checkpoint of a different configuration (" + meta.get("config") + ")");
        Map<String, Tensor> t = SafeTensors.read(file), m = new LinkedHashMap<>(), o = new LinkedHashMap<>();
        t.forEach((k, v) -> {
            if (k.startsWith("model.")) m.put(k.substring(6), v);
            else if (k.startsWith("optim.")) o.put(k.substring(6), v);
        });
        model.loadStateDict(m, true);
        sgd.loadStateDict(o, Long.parseLong(meta.get("optim_steps")));
        epoch = Integer.parseInt(meta.get("epoch"));
        history.clear();
        for (String x : meta.get("history").split(";")) if (!x.isEmpty()) history.add(Double.parseDouble(x));
    }
}
