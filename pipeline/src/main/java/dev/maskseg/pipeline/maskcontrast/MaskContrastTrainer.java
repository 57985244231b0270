package dev.maskseg.pipeline.maskcontrast;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.optim.AdamW;
import dev.maskseg.engine.optim.Optimizer;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Sgd;
import dev.maskseg.pipeline.data.Permutations;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.loss.MaskContrastLoss;
import dev.maskseg.pipeline.train.ResNetInit;
import dev.maskseg.zoo.Ema;
import dev.maskseg.zoo.weights.NameMapping;
import dev.maskseg.zoo.weights.WeightFiles;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.io.IOException;
import java.nio.file.Files;
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
 * MaskContrast pre-training (methods.md §2.4–2.6) on one device: two independent views per image with the area
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

    /** Both encoders, optimizer state, queue, epoch and loss history, atomically. */
    public void save(Path file) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        query.stateDict().forEach((k, v) -> t.put("query." + k, v));
        key.stateDict().forEach((k, v) -> t.put("key." + k, v));
        optimizer.stateDict().forEach((k, v) -> t.put("optim." + k, v));
        t.put("queue", queue);
        StringBuilder h = new StringBuilder();
        for (EpochLoss e : history) h.append(e.epoch()).append(':').append(e.loss()).append(':').append(e.contrastive()).append(':').append(e.saliency()).append(';');
        SafeTensors.write(file, t, Map.of("epoch", Integer.toString(epoch), "queue_ptr", Integer.toString(queuePtr),
                "optim_steps", Long.toString(optimizer.stepCount()), "history", h.toString(), "config", cfg.toString()));
    }

    /** The query encoder by MaskContrast's names, with the metadata that rebuilds it ({@link #loadModel}). */
    public void saveModel(Path file) throws IOException {
        SafeTensors.write(file, query.stateDict(), Map.of("model", "maskcontrast", "backbone", cfg.backbone(),
                "width", Integer.toString(cfg.width()), "ndim", Integer.toString(cfg.ndim())));
    }

    /** A model written by {@link #saveModel}, or an official MaskContrast checkpoint (resnet50, {@code model_q.} names). */
    public static MaskContrastModel loadModel(Path file) throws IOException {
        Map<String, String> meta = file.toString().endsWith(".safetensors") ? SafeTensors.metadata(file) : Map.of();
        Map<String, Tensor> weights = WeightFiles.read(file);
        String backbone = meta.getOrDefault("backbone", "resnet50");
        MaskContrastModel m;
        if (backbone.equals("small")) {
            m = MaskContrastModel.small(Integer.parseInt(meta.get("ndim")), Integer.parseInt(meta.get("width")), new Generator(0));
        } else {
            int ndim = meta.containsKey("ndim") ? Integer.parseInt(meta.get("ndim")) : 32;
            m = new MaskContrastModel(ndim, new Generator(0));
        }
        NameMapping.Result mapped = NameMapping.maskContrast().apply(weights, m.stateDict());
        try {
            m.loadStateDict(mapped.state(), true);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a MaskContrast model (" + backbone + "): " + e.getMessage(), e);
        }
        return m;
    }

    /** Restores a checkpoint written by {@link #save} with the same configuration. */
    public void resume(Path file) throws IOException {
        if (!Files.exists(file)) throw new IOException("resume: no checkpoint " + file);
        Map<String, Tensor> t = SafeTensors.read(file);
        Map<String, String> meta = SafeTensors.metadata(file);
        if (!cfg.toString().equals(meta.get("config"))) {
            throw new IOException(file + ": checkpoint of a different configuration (" + meta.get("config") + ")");
        }
        load(query, t, "query.");
        load(key, t, "key.");
        Map<String, Tensor> s = new LinkedHashMap<>();
        t.forEach((k, v) -> { if (k.startsWith("optim.")) s.put(k.substring(6), v); });
        optimizer.loadStateDict(s, Long.parseLong(meta.get("optim_steps")));
        queue = t.get("queue").clone();
        queuePtr = Integer.parseInt(meta.get("queue_ptr"));
        epoch = Integer.parseInt(meta.get("epoch"));
        history.clear();
        for (String e : meta.get("history").split(";")) {
            if (e.isEmpty()) continue;
            String[] f = e.split(":");
            history.add(new EpochLoss(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3])));
        }
    }

    private static void load(Module m, Map<String, Tensor> t, String prefix) {
        Map<String, Tensor> s = new LinkedHashMap<>();
        t.forEach((k, v) -> { if (k.startsWith(prefix)) s.put(k.substring(prefix.length()), v); });
        Module.LoadReport r = m.loadStateDict(s, true);
        if (!r.isClean()) throw new IllegalStateException("checkpoint " + prefix + ": " + r);
    }
}
