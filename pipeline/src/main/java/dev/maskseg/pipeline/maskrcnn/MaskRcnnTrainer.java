package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Sgd;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.RoiAlign;
import dev.maskseg.pipeline.data.Permutations;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.train.Checkpoints;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.engine.Generator;
import dev.maskseg.zoo.maskrcnn.MaskRcnnWeights;
import dev.maskseg.zoo.maskrcnn.MaskRcnnC4;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.ProposalParams;
import dev.maskseg.zoo.maskrcnn.Res5RoiHeads;
import dev.maskseg.zoo.maskrcnn.RpnHead;
import dev.maskseg.zoo.maskrcnn.RpnProposals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Mask R-CNN training (docs/methods.md §3.4): per iteration {@code batch} images drawn from a seeded shuffle of the
 * training set (a new one each pass), each resized to a random shorter side and flipped with probability 0.5
 * ({@link DetectionInputs}); the RPN, box and mask losses of {@link MaskRcnnLosses} on the samples of
 * {@link MaskRcnnTargets}; SGD with momentum and weight decay on every trainable parameter, the lr of
 * {@link MaskRcnnConfig#lrAt} (linear warm-up, then steps); the first {@code freezeAt} stages frozen. Every draw derives
 * from (seed, iteration, image), and a checkpoint (weights, momentum, iteration, loss history) is written atomically
 * every {@code checkpointPeriod} iterations and at the end, so {@link #resume} continues to the same weights as an
 * uninterrupted run.
 */
public final class MaskRcnnTrainer {
    /** Progress of training. */
    public interface Listener {
        /** After iteration {@code iteration} (0-based): its loss terms ({@link MaskRcnnLosses.Terms#NAMES}) and lr. */
        void step(int iteration, double total, double[] terms, double lr);

        /** After a checkpoint: the mean total loss and terms of the iterations since the previous one. */
        default void period(int iteration, double[] meanTotalAndTerms, double lr, double seconds, int images) throws IOException {}
    }

    private final MaskRcnnConfig cfg;
    public final MaskRcnnC4 model;
    private final Sgd sgd;
    private final ProposalParams trainProposals;
    private int iteration;
    private final List<double[]> history = new ArrayList<>();

    /** A fresh model for {@code classes} classes, initialised from {@code cfg.seed()} (and {@code cfg.pretrained()}). */
    public MaskRcnnTrainer(MaskRcnnConfig cfg, int classes) throws IOException {
        this.cfg = cfg;
        model = create(cfg, classes);
        model.backbone.freezeAt(cfg.freezeAt());
        List<Tensor> trainable = model.parameters().stream().filter(Tensor::requiresGrad).toList();
        sgd = new Sgd(List.of(new ParamGroup(trainable, cfg.lr(), cfg.weightDecay())), cfg.momentum(), false);
        trainProposals = new ProposalParams(cfg.rpnPreNmsTrain(), cfg.rpnPostNmsTrain(), cfg.rpnNms(), 0.0, true);
    }

    /** A fresh detector of {@code cfg}'s shape, seeded, its backbone and res5 from {@code cfg.pretrained()} when given. */
    public static MaskRcnnC4 create(MaskRcnnConfig cfg, int classes) throws IOException {
        MaskRcnnC4 m = new MaskRcnnC4(cfg.shape(classes), new Generator(cfg.seed()));
        if (!cfg.pretrained().isEmpty()) MaskRcnnWeights.initBackbone(m, Path.of(cfg.pretrained()));
        return m;
    }

    public int iteration() { return iteration; }

    /** Per checkpoint period: mean total loss and the five terms. */
    public List<double[]> history() { return List.copyOf(history); }

    /**
     * Trains from the current iteration to {@code maxIter}.
     *
     * @param pixels decodes a training image (RGB in [0, 1]); an unreadable file is an {@link UncheckedIOException}
     */
    public void train(List<TrainingSet.Image> data, Function<TrainingSet.Image, Sample> pixels, Path checkpoint, Listener listener) throws IOException {
        if (data.isEmpty()) throw new IllegalArgumentException("train maskrcnn: the training set has no image with an object");
        double[] sum = new double[6];
        int count = 0;
        long start = System.nanoTime();
        while (iteration < cfg.maxIter()) {
            double lr = cfg.lrAt(iteration);
            sgd.setLearningRate(lr);
            MaskRcnnLosses.Terms terms = step(views(data, pixels, iteration));
            Tensor total = terms.total();
            sgd.zeroGrad();
            total.backward();
            sgd.step();
            double[] v = terms.values();
            double t = total.item();
            if (!Double.isFinite(t)) throw new IllegalStateException("train maskrcnn: the loss is " + t + " at iteration " + iteration + "; training has diverged");
            sum[0] += t;
            for (int i = 0; i < 5; i++) sum[i + 1] += v[i];
            count++;
            if (listener != null) listener.step(iteration, t, v, lr);
            iteration++;
            if (iteration % cfg.checkpointPeriod() == 0 || iteration == cfg.maxIter()) {
                double[] mean = new double[6];
                for (int i = 0; i < 6; i++) mean[i] = sum[i] / count;
                history.add(mean);
                if (checkpoint != null) save(checkpoint);
                if (listener != null) listener.period(iteration, mean, lr, (System.nanoTime() - start) / 1e9, count * cfg.batch());
                java.util.Arrays.fill(sum, 0);
                count = 0;
                start = System.nanoTime();
            }
        }
    }

    /** The views of iteration {@code t}: image k = t·batch + i of a per-pass seeded shuffle, its own size and flip draw. */
    List<DetectionInputs.View> views(List<TrainingSet.Image> data, Function<TrainingSet.Image, Sample> pixels, int t) {
        int n = data.size();
        DetectionInputs.View[] out = new DetectionInputs.View[cfg.batch()];
        IntStream.range(0, cfg.batch()).parallel().forEach(i -> {
            long k = (long) t * cfg.batch() + i;
            int pass = (int) (k / n);
            int[] order = Permutations.shuffle(n, new SplittableRandom(cfg.seed() * 1_000_003L + pass));
            TrainingSet.Image im = data.get(order[(int) (k % n)]);
            out[i] = DetectionInputs.train(im, pixels.apply(im), cfg, random(t, i, 0));
        });
        return List.of(out);
    }

    private SplittableRandom random(int t, int image, int purpose) {
        return new SplittableRandom(((cfg.seed() * 31 + t) * 1_000_003L + image) * 7 + purpose);
    }

    /** One iteration's forward pass and losses (the model in training mode). */
    MaskRcnnLosses.Terms step(List<DetectionInputs.View> views) {
        DetectionInputs.Batch batch = DetectionInputs.batch(views);
        model.train(true);
        int n = views.size(), c = model.numClasses();
        Tensor res4 = model.features(batch.input());
        RpnHead.Outputs rpn = model.rpn(res4);
        Tensor anchors = model.anchorGrid(rpn.height(), rpn.width()).to(res4.backend());
        Tensor rpnCls = null, rpnLoc = null;
        List<MaskRcnnTargets.Roi> rois = new ArrayList<>();
        List<Tensor> gtMasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DetectionInputs.View v = views.get(i);
            Tensor gt = Tensor.of(v.boxes(), v.objects(), 4).to(res4.backend());
            MaskRcnnTargets.Rpn rt = MaskRcnnTargets.rpn(anchors, gt, cfg.rpnBatch(), cfg.rpnPositiveFraction(), random(iteration, i, 1));
            Tensor[] s = MaskRcnnLosses.rpnSums(rpn.objectness().select(0, i), rpn.deltas().select(0, i), anchors, gt, rt.positives(), rt.negatives(), rt.matched());
            rpnCls = rpnCls == null ? s[0] : rpnCls.add(s[0]);
            rpnLoc = rpnLoc == null ? s[1] : rpnLoc.add(s[1]);
            RpnProposals.Proposals p = model.proposals(rpn, i, v.height(), v.width(), trainProposals);
            rois.add(MaskRcnnTargets.roi(p.boxes(), gt, v.classes(), c, cfg.roiBatch(), cfg.roiPositiveFraction(), random(iteration, i, 2)));
            gtMasks.add(masks(v));
        }
        double norm = (double) cfg.rpnBatch() * n;
        rpnCls = rpnCls.div(norm);
        rpnLoc = rpnLoc.div(norm);

        List<Tensor> boxes = new ArrayList<>(), gts = new ArrayList<>();
        List<Integer> classes = new ArrayList<>(), fgRows = new ArrayList<>(), fgClasses = new ArrayList<>();
        int at = 0;
        for (MaskRcnnTargets.Roi r : rois) {
            boxes.add(r.boxes());
            gts.add(r.gtBoxes());
            for (int k = 0; k < r.classes().length; k++) {
                classes.add(r.classes()[k]);
                if (k < r.foreground()) {
                    fgRows.add(at + k);
                    fgClasses.add(r.classes()[k]);
                }
            }
            at += r.classes().length;
        }
        Tensor features = model.regionFeatures(res4, RoiAlign.rois(boxes));
        Res5RoiHeads.BoxOutputs heads = model.boxHead(features);
        int[] cls = classes.stream().mapToInt(Integer::intValue).toArray();
        Tensor[] box = MaskRcnnLosses.boxHead(heads.logits(), heads.deltas(), cls, Index.cat(boxes, 0), Index.cat(gts, 0));

        Tensor mask;
        if (fgRows.isEmpty()) {
            mask = heads.logits().sum().mul(0.0);
        } else {
            long[] rows = fgRows.stream().mapToLong(Integer::longValue).toArray();
            Tensor logits = model.maskLogits(Index.indexSelect(features, 0, Tensor.ofLongs(rows, rows.length).to(features.backend())));
            List<Tensor> targets = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                MaskRcnnTargets.Roi r = rois.get(i);
                if (r.foreground() == 0) continue;
                targets.add(MaskRcnnLosses.maskTargets(gtMasks.get(i), r.boxes().narrow(0, 0, r.foreground()), r.matched(), logits.size(2)));
            }
            mask = MaskRcnnLosses.mask(logits, fgClasses.stream().mapToInt(Integer::intValue).toArray(), Index.cat(targets, 0));
        }
        return new MaskRcnnLosses.Terms(rpnCls, rpnLoc, box[0], box[1], mask);
    }

    /** The view's object masks as float [G, h, w] (0/1), on which the mask targets are RoIAligned. */
    private static Tensor masks(DetectionInputs.View v) {
        int g = v.objects(), px = v.height() * v.width();
        float[] all = new float[g * px];
        for (int k = 0; k < g; k++) {
            byte[] m = v.masks().get(k);
            for (int p = 0; p < px; p++) all[k * px + p] = m[p];
        }
        return Tensor.of(all, g, v.height(), v.width());
    }

    /** The trained model with what rebuilds it ({@link ModelFiles#saveMaskRcnn}). */
    public void saveModel(Path file, long[] categoryIds) throws IOException { ModelFiles.saveMaskRcnn(file, model, cfg, categoryIds); }

    /** Weights, SGD momentum, iteration and loss history, atomically ({@link Checkpoints}). */
    public void save(Path file) throws IOException {
        checkpoints().save(file, new Checkpoints.State(iteration, history, Map.of(), Map.of()));
    }

    /** Restores a checkpoint written by {@link #save} with the same configuration. */
    public void resume(Path file) throws IOException {
        Checkpoints.State s = checkpoints().restore(file);
        iteration = s.epoch();
        history.clear();
        history.addAll(s.history());
    }

    private Checkpoints checkpoints() { return Checkpoints.of(cfg.toString()).module("model", model).optimizer(sgd); }
}
