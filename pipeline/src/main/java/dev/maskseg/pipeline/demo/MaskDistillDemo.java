package dev.maskseg.pipeline.demo;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.BatchNormRecalibration;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.DecoderFeatures;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.maskdistill.ClusteringConfig;
import dev.maskseg.pipeline.maskdistill.MaskClustering;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillTrainer;
import dev.maskseg.pipeline.maskdistill.PseudoMaps;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnConfig;
import dev.maskseg.pipeline.predict.PredictStage;
import dev.maskseg.pipeline.train.TrainProgress;
import dev.maskseg.zoo.SmallSegmenter;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code demo --method maskdistill}: the mined masks clustered by the CLS token of a ViT-S/8 over each mask's box
 * (std-whitened, L2, k-means with the clustering seed; §3.3), painted into pseudo semantic maps (§3.5), a small segmentation
 * network trained on them with hard-pixel mining (§3.6), evaluated by Hungarian matching of its labels and by a
 * linear probe. Without clustering.weights (no DINO weights can be downloaded here) the ViT is at random initialisation and the
 * report says so. With {@code maskdistill.detector: maskrcnn} (the demo config's) a small Mask R-CNN is trained on the clustered
 * masks and its confident candidates make the pseudo maps ({@link DemoDetector}, §3.4–3.5); with {@code prior} the prior's
 * masks are painted directly.
 */
final class MaskDistillDemo {
    private MaskDistillDemo() {}

    static DemoOutcome run(DemoOptions o, DemoRunner.Data d, StageListener listener, StepTimes times) throws Exception {
        RunConfig run = o.config();
        MaskDistillConfig cfg = run.section("maskdistill", MaskDistillConfig.demo(), MaskDistillConfig.class);
        ClusteringConfig clustering = run.section("clustering", ClusteringConfig.official(), ClusteringConfig.class);
        MaskRcnnConfig detectorCfg = run.section("maskrcnn", MaskRcnnConfig.demo(), MaskRcnnConfig.class);
        if (o.epochs() > 0) cfg = cfg.withEpochs(o.epochs());
        List<Sample> trainMasked = d.trainMasked(), trainGt = d.trainGt(), val = d.val();
        int classes = d.classes();
        times.begin("cluster masks, paint pseudo maps");
        listener.info(String.format("demo: 3/5 clustering %d masks (ViT-S/8 CLS of each mask's box, k=%d), pseudo maps, training a %s segmenter for %d epochs",
                trainMasked.size(), cfg.clusters(), cfg.backbone(), cfg.epochs()));
        VisionTransformer vit = MaskClustering.vit(clustering, o.seed());
        double[][] features = new double[trainMasked.size()][];
        try (StageListener.Task task = listener.task("mask features (ViT)", trainMasked.size(), "masks")) {
            for (int i = 0; i < trainMasked.size(); i++) {
                features[i] = MaskClustering.features(vit, trainMasked.get(i), List.of(trainMasked.get(i).mask()))[0];
                task.step();
            }
        }
        if (clustering.byBoxes()) throw new IllegalArgumentException("demo: clustering.naming boxes needs ground-truth boxes, which the generated scenes do not have");
        int k = clustering.k(cfg.clusters());
        int[] cluster = MaskClustering.cluster(features, k, clustering.seed());
        cfg = cfg.withLabels(k + 1);
        Miou.Matching matching = k == classes - 1 ? Miou.Matching.HUNGARIAN : Miou.Matching.MAJORITY;
        List<Sample> pseudo = new ArrayList<>();
        Double pseudoMiou;
        Map<String, Object> extra = new LinkedHashMap<>();
        String detectorNotes = "";
        if (cfg.usesDetector()) {
            times.begin("Mask R-CNN: train, detect, paint");
            DemoDetector.Outcome det = DemoDetector.run(o, d, cluster, cfg, detectorCfg, listener);
            pseudo = det.pseudo();
            pseudoMiou = pseudo.isEmpty() ? null : DemoDetector.pseudoMiou(pseudo, det.pseudoGt(), classes, matching);
            extra.putAll(det.metrics());
            detectorNotes = det.notes();
        } else {
            for (int i = 0; i < trainMasked.size(); i++) {
                Sample s = trainMasked.get(i);
                byte[] map = PseudoMaps.paint(s.mask().length, List.of(new PseudoMaps.Candidate(s.mask(), 1.0, cluster[i])), cfg.tau());
                pseudo.add(new Sample(s.rgb(), map, s.width(), s.height()));
            }
            // every generated train image normally gets a mask; only then are the two lists aligned
            pseudoMiou = trainGt.size() != pseudo.size() ? null
                    : Miou.evaluate(Confusion.of(toInts(pseudo), trainGt, classes), matching).miou();
        }
        listener.info(String.format("demo: training a %s segmenter for %d epochs on %d pseudo maps (%s)", cfg.backbone(), cfg.epochs(), pseudo.size(),
                cfg.usesDetector() ? "Mask R-CNN's confident candidates" : "the prior's masks"));

        times.begin("train");
        MaskDistillTrainer trainer = new MaskDistillTrainer(cfg);
        int steps = pseudo.size() / cfg.batch();
        try (TrainProgress progress = new TrainProgress(listener, "train", cfg.epochs(), steps, cfg.batch(), 0)) {
            trainer.train(pseudo, o.out().resolve("checkpoint.safetensors"), new MaskDistillTrainer.Listener() {
                @Override
                public void step(int e, int s, int n, double loss, double lr) { progress.step(e, loss, lr); }

                @Override
                public void epochEnd(int e, double loss, double valMiou, double lr, double seconds) {
                    progress.epochEnd(e, Map.of("loss", loss), lr, seconds);
                }
            });
        }
        trainer.saveModel(o.out().resolve(DemoRunner.MODEL));
        times.begin("evaluate the trained network");
        listener.info("demo: 4/5 evaluating the trained network (matched labels, features, linear probe)");
        DemoOutcome.Scores trained = evaluate((SmallSegmenter) trainer.model, trainGt, val, classes, matching, listener);
        times.begin("evaluate the random-init network");
        listener.info("demo: 5/5 evaluating the same network at random initialisation (BatchNorm statistics re-estimated)");
        SmallSegmenter random = (SmallSegmenter) MaskDistillTrainer.create(cfg, o.seed() + 1000);
        BatchNormRecalibration.recalibrate(random.body, trainGt, 16, 2, listener);
        DemoOutcome.Scores base = evaluate(random, trainGt, val, classes, matching, listener);
        times.finish();

        List<double[]> h = trainer.history();
        double[] ep = new double[h.size()], loss = new double[h.size()];
        for (int i = 0; i < h.size(); i++) {
            ep[i] = i + 1;
            loss[i] = h.get(i)[0];
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("hard-pixel CE", loss);
        extra.put("epochs", cfg.epochs());
        extra.put("detector", cfg.detector());
        if (pseudoMiou != null) extra.put("pseudo_map_train_miou", pseudoMiou);
        if (o.crfRounds() > 0) {
            times.begin("CRF rounds");
            extra.put("crf_rounds", DemoCrfRounds.run(cfg, trainer.model, pseudoMiou, trainGt, val, classes, matching, o.crfRounds(), listener));
            times.finish();
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("clustering", clustering);
        config.put("maskdistill", cfg);
        if (cfg.usesDetector()) config.put("maskrcnn", detectorCfg);
        return new DemoOutcome("MaskDistill", "labels", trained, base, ep, series, extra, String.format(
                "%d epochs. Masks clustered with a %s %s; pseudo maps score %s mIoU (Hungarian) against the train ground truth.%s", cfg.epochs(),
                clustering.vit(), clustering.weights().isEmpty() ? "at random initialisation (no DINO weights offline)" : "from " + clustering.weights(),
                pseudoMiou == null ? "n/a" : String.format("%.3f", pseudoMiou), detectorNotes), config);
    }

    private static DemoOutcome.Scores evaluate(SmallSegmenter model, List<Sample> trainGt, List<Sample> val, int classes, Miou.Matching matching,
                                               StageListener listener) throws IOException {
        List<int[]> maps = PredictStage.labels(model, val, null, listener);
        Miou.Result r = Miou.evaluate(Confusion.of(maps, val, classes), matching);
        List<int[]> matched = new ArrayList<>();
        for (int[] m : maps) {
            int[] o = new int[m.length];
            for (int i = 0; i < m.length; i++) o[i] = r.matching().getOrDefault(m[i], 0);
            matched.add(o);
        }
        return DemoOutcome.Scores.withProbe(r, matched, DecoderFeatures.of(model.body, trainGt, listener), DecoderFeatures.of(model.body, val, listener),
                trainGt, val, classes, listener);
    }

    private static List<int[]> toInts(List<Sample> samples) {
        List<int[]> out = new ArrayList<>();
        for (Sample s : samples) {
            int[] m = new int[s.mask().length];
            for (int i = 0; i < m.length; i++) m[i] = s.mask()[i] & 255;
            out.add(m);
        }
        return out;
    }
}
