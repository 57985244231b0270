package dev.maskseg.pipeline.maskcontrast;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.optim.AdamW;
import dev.maskseg.engine.optim.Optimizer;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Sgd;
import dev.maskseg.pipeline.data.Permutations;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.loss.MaskContrastLoss;
import dev.maskseg.pipeline.train.Checkpoints;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.pipeline.train.ResNetInit;
import dev.maskseg.zoo.Ema;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * MaskContrast pre-training (docs/methods.md §2.4–2.6) on one device: two independent views per image with the area
 * filter, the query encoder trained by SGD with the per-epoch poly schedule, the key encoder updated by momentum
 * before its pass, prototypes from the key view, a queue of K past prototypes. With one device there is no
 * shuffle-BN; the key encoder's BN uses the key batch's statistics. Every random draw derives from (seed, epoch,
 * step, index), and a checkpoint (both encoders, SGD momentum, queue) is written atomically after every epoch, so
 * {@code resume} continues to the same weights as an uninterrupted run.
 */
public final class MaskContrastTrainer {
    public interface Listener {
        void step(int epoch, int step, int steps, double loss, double lr);

        /** After the epoch's checkpoint is written. */
        default void epochEnd(EpochLoss loss, double lr, double seconds) throws IOException {}
    }

    public record EpochLoss(int epoch, double loss, double contrastive, double saliency) {}

    /** An epoch's loss terms by name, the total first (for progress lines and reports). */
    public static Map<String, Double> terms(EpochLoss l) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", l.loss());
        m.put("contrastive", l.contrastive());
        m.put("saliency BCE", l.saliency());
        return m;
    }

    private final MaskContrastConfig cfg;
    public final MaskContrastModel query, key;
    private final Optimizer optimizer;
    private Tensor queue;
    private int queuePtr, epoch;
    private int workers = Math.max(1, Runtime.getRuntime().availableProcessors()), prefetch = 2;
    private final List<EpochLoss> history = new ArrayList<>();

    public MaskContrastTrainer(MaskContrastConfig cfg) throws IOException {
        this.cfg = cfg;
        query = create(cfg, cfg.seed());
        key = create(cfg, cfg.seed());
        if (!cfg.pretrained().isEmpty()) ResNetInit.loadPretrained(query.backbone, Path.of(cfg.pretrained()));
        Ema.copy(query, key);
        if (cfg.freezeEarlyLayers()) ResNetInit.freezeEarlyStages(query.backbone, "maskcontrast");
        List<Tensor> trainable = query.parameters().stream().filter(Tensor::requiresGrad).toList();
        List<ParamGroup> groups = List.of(new ParamGroup(trainable, cfg.lr(), cfg.weightDecay()));
        optimizer = cfg.optimizer().equals("adamw") ? new AdamW(groups, cfg.sgdMomentum(), 0.999, 1e-8) : new Sgd(groups, cfg.sgdMomentum(), false);
        Generator g = new Generator(cfg.seed() * 7919 + 1);
        queue = Norm.normalize(Tensor.randn(g, cfg.ndim(), cfg.queue()), 0, 1e-12);
    }

    public static MaskContrastModel create(MaskContrastConfig cfg, long seed) {
        Generator g = new Generator(seed);
        return switch (cfg.backbone()) {
            case "small" -> MaskContrastModel.small(cfg.ndim(), cfg.width(), g);
            case "resnet50" -> new MaskContrastModel(cfg.ndim(), g);
            default -> throw new IllegalArgumentException("maskcontrast: unknown backbone '" + cfg.backbone() + "' (small, resnet50)");
        };
    }

    public List<EpochLoss> history() { return List.copyOf(history); }

    public int epoch() { return epoch; }

    /** Loader threads that decode and augment, and how many batches they may prepare ahead (bounded memory). */
    public MaskContrastTrainer loader(int workers, int prefetch) {
        if (workers < 1 || prefetch < 1) throw new IllegalArgumentException("maskcontrast: workers and prefetch must be >= 1, got " + workers + ", " + prefetch);
        this.workers = workers;
        this.prefetch = prefetch;
        return this;
    }

    /** Trains the remaining epochs, checkpointing to {@code checkpoint} (if not null) after each. */
    public void train(List<Sample> data, Path checkpoint, Listener listener) throws IOException {
        int steps = data.size() / cfg.batch();
        if (steps == 0) throw new IllegalArgumentException("maskcontrast: " + data.size() + " images with masks, fewer than one batch of " + cfg.batch());
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "maskcontrast-loader");
            t.setDaemon(true);
            return t;
        });
        try {
            for (; epoch < cfg.epochs(); ) {
                double lr = cfg.lr() * Math.pow(1 - (double) epoch / cfg.epochs(), 0.9);
                optimizer.setLearningRate(lr);
                int[] order = Permutations.shuffle(data.size(), new SplittableRandom(cfg.seed() * 1_000_003L + epoch));
                Deque<List<Future<Sample[]>>> ahead = new ArrayDeque<>();
                int queued = 0;
                double sum = 0, con = 0, sal = 0;
                long start = System.nanoTime();
                for (int s = 0; s < steps; s++) {
                    for (; queued < steps && ahead.size() < prefetch; queued++) ahead.add(submitViews(pool, data, order, queued));
                    MaskContrastLoss.Result r = step(collect(ahead.poll()));
                    sum += r.total().item();
                    con += r.contrastive().item();
                    sal += r.saliency().item();
                    if (listener != null) listener.step(epoch, s, steps, r.total().item(), lr);
                }
                history.add(new EpochLoss(epoch, sum / steps, con / steps, sal / steps));
                epoch++;
                if (checkpoint != null) save(checkpoint);
                if (listener != null) listener.epochEnd(history.get(history.size() - 1), lr, (System.nanoTime() - start) / 1e9);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The view pairs of step {@code s}, one task per image; every draw derives from (seed, epoch, step, index). */
    private List<Future<Sample[]>> submitViews(ExecutorService pool, List<Sample> data, int[] order, int s) {
        int b = cfg.batch(), e = epoch;
        List<Future<Sample[]>> views = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            int slot = s * b + i;
            SplittableRandom r = new SplittableRandom(((cfg.seed() * 31 + e) * 1_000_003L + s) * 131 + i);
            views.add(pool.submit(() -> viewPair(data, order, slot, r)));
        }
        return views;
    }

    private static Sample[][] collect(List<Future<Sample[]>> views) throws IOException {
        Sample[][] out = new Sample[views.size()][];
        try {
            for (int i = 0; i < out.length; i++) out[i] = views.get(i).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("maskcontrast: interrupted while loading a batch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException u) throw u.getCause();
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException(e.getCause());
        }
        return out;
    }

    private MaskContrastLoss.Result step(Sample[][] views) {
        Tensor imq = batch(views, 0), imk = batch(views, 1), mq = masks(views, 0), mk = masks(views, 1);
        query.train(true);
        if (cfg.freezeEarlyLayers()) ResNetInit.keepEarlyStagesInEval(query.backbone);
        MaskContrastModel.Output oq = query.run(imq);
        Ema.update(query, key, cfg.keyMomentum());
        MaskContrastModel.Output ok;
        try (var ng = GradMode.noGrad()) {
            key.train(true);
            ok = key.run(imk);
        }
        MaskContrastLoss.Result r = MaskContrastLoss.compute(oq.embedding(), oq.saliency(), mq, ok.embedding().detach(), mk, queue, cfg.temperature());
        optimizer.zeroGrad();
        r.total().backward();
        optimizer.step();
        enqueue(r.prototypes());
        return r;
    }

    /** Two views whose masks cover strictly between 1% and 99%; after 3 failures, another random image (§2.4). */
    private Sample[] viewPair(List<Sample> data, int[] order, int slot, SplittableRandom r) {
        int idx = order[slot];
        for (int attempt = 1; ; attempt++) {
            Sample src = data.get(idx);
            Sample a = Transforms.pretrainView(src, cfg.crop(), r), b = Transforms.pretrainView(src, cfg.crop(), r);
            if (valid(a) && valid(b)) return new Sample[]{a, b};
            if (attempt % 3 == 0) idx = r.nextInt(data.size());
            if (attempt > 1000) throw new IllegalStateException("maskcontrast: no view pair passes the 1%-99% mask area filter after 1000 tries");
        }
    }

    private static boolean valid(Sample v) {
        double f = v.maskFraction();
        return f > 0.01 && f < 0.99;
    }

    private Tensor batch(Sample[][] views, int which) {
        int b = views.length, c = cfg.crop(), n = c * c;
        float[] d = new float[b * 3 * n];
        for (int i = 0; i < b; i++) System.arraycopy(views[i][which].rgb(), 0, d, i * 3 * n, 3 * n);
        return ImageTensors.normalize(Tensor.of(d, b, 3, c, c));
    }

    private Tensor masks(Sample[][] views, int which) {
        int b = views.length, c = cfg.crop(), n = c * c;
        float[] d = new float[b * n];
        for (int i = 0; i < b; i++) for (int p = 0; p < n; p++) d[i * n + p] = views[i][which].mask()[p];
        return Tensor.of(d, b, c, c);
    }

    /** Writes the batch's prototypes into the queue's columns at the pointer (after the logits used the old queue). */
    private void enqueue(Tensor prototypes) {
        try (var ng = GradMode.noGrad()) {
            queue.narrow(1, queuePtr, prototypes.size(0)).copy_(prototypes.t());
        }
        queuePtr = (queuePtr + prototypes.size(0)) % cfg.queue();
    }

    /** Both encoders, optimizer state, queue, epoch and loss history, atomically ({@link Checkpoints}). */
    public void save(Path file) throws IOException {
        List<double[]> h = history.stream().map(e -> new double[]{e.epoch(), e.loss(), e.contrastive(), e.saliency()}).toList();
        checkpoints().save(file, new Checkpoints.State(epoch, h, Map.of("queue", queue), Map.of("queue_ptr", Integer.toString(queuePtr))));
    }

    /** Restores a checkpoint written by {@link #save} with the same configuration. */
    public void resume(Path file) throws IOException {
        Checkpoints.State s = checkpoints().restore(file);
        queue = s.tensors().get("queue").clone();
        queuePtr = Integer.parseInt(s.values().get("queue_ptr"));
        epoch = s.epoch();
        history.clear();
        for (double[] r : s.history()) history.add(new EpochLoss((int) r[0], r[1], r[2], r[3]));
    }

    private Checkpoints checkpoints() { return Checkpoints.of(cfg.toString()).module("query", query).module("key", key).optimizer(optimizer); }

    /** The query encoder with the metadata that rebuilds it ({@link ModelFiles#loadMaskContrast}). */
    public void saveModel(Path file) throws IOException { ModelFiles.saveMaskContrast(file, query, cfg); }
}
