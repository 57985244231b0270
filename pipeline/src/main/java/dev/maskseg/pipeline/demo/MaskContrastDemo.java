package dev.maskseg.pipeline.demo;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.BatchNormRecalibration;
import dev.maskseg.pipeline.eval.DecoderFeatures;
import dev.maskseg.pipeline.eval.KMeansProtocol;
import dev.maskseg.pipeline.eval.Prototypes;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.pipeline.train.TrainProgress;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code demo --method maskcontrast}: a small MaskContrast model trained on the mined masks, evaluated by the prototype
 * k-means protocol (5 seeds, Hungarian; §2.7.2) and a linear probe, next to the same network at random initialisation.
 * Writes the trained model ({@code model.safetensors}) and its probe ({@code probe.safetensors}) for {@code predict}
 * and {@code eval}.
 */
final class MaskContrastDemo {
    private MaskContrastDemo() {}

    static DemoOutcome run(DemoOptions o, DemoRunner.Data d, StageListener listener, StepTimes times) throws Exception {
        RunConfig run = o.config();
        MaskContrastConfig cfg = run.section("maskcontrast", MaskContrastConfig.demo(), MaskContrastConfig.class).withSeed(o.seed());
        DataConfig loader = run.section("data", DataConfig.defaults(), DataConfig.class);
        if (o.epochs() > 0) cfg = cfg.withEpochs(o.epochs());
        times.begin("train");
        listener.info(String.format("demo: 3/5 training MaskContrast (%s backbone, width %d) on %d images with masks, %d epochs",
                cfg.backbone(), cfg.width(), d.trainMasked().size(), cfg.epochs()));
        MaskContrastTrainer trainer = new MaskContrastTrainer(cfg).loader(loader.workers(), loader.prefetch());
        int stepsPerEpoch = d.trainMasked().size() / cfg.batch();
        try (TrainProgress progress = new TrainProgress(listener, "train", cfg.epochs(), stepsPerEpoch, cfg.batch(), 0)) {
            trainer.train(d.trainMasked(), o.out().resolve("checkpoint.safetensors"), new MaskContrastTrainer.Listener() {
                @Override
                public void step(int e, int s, int n, double loss, double lr) { progress.step(e, loss, lr); }

                @Override
                public void epochEnd(MaskContrastTrainer.EpochLoss loss, double lr, double seconds) {
                    progress.epochEnd(loss.epoch(), MaskContrastTrainer.terms(loss), lr, seconds);
                }
            });
        }
        trainer.saveModel(o.out().resolve(DemoRunner.MODEL));
        times.begin("evaluate the trained network");
        listener.info("demo: 4/5 evaluating the trained network (prototypes, k-means over 5 seeds, features, linear probe)");
        DemoOutcome.Scores trained = evaluate(trainer.query, d, listener);
        ModelFiles.saveProbe(o.out().resolve(DemoRunner.PROBE), trained.probe(), d.classes());
        times.begin("evaluate the random-init network");
        listener.info("demo: 5/5 evaluating the same network at random initialisation (BatchNorm statistics re-estimated)");
        MaskContrastModel randomInit = MaskContrastTrainer.create(cfg, o.seed() + 1000);
        BatchNormRecalibration.recalibrate(randomInit, d.trainGt(), 16, 2, listener);
        DemoOutcome.Scores random = evaluate(randomInit, d, listener);
        times.finish();

        var hist = trainer.history();
        double[] ep = new double[hist.size()];
        Map<String, double[]> series = new LinkedHashMap<>();
        for (int i = 0; i < hist.size(); i++) {
            ep[i] = hist.get(i).epoch() + 1;
            int at = i;
            MaskContrastTrainer.terms(hist.get(i)).forEach((k, v) -> series.computeIfAbsent(k, x -> new double[hist.size()])[at] = v);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("maskcontrast", cfg);
        Map<String, Object> data = new LinkedHashMap<>(); // the dataset and masks the demo made, and the loader settings of the config
        data.put("root", o.out().resolve("dataset").toString());
        data.put("split", "train");
        data.put("masks", o.out().resolve("masks").toString());
        data.put("workers", loader.workers());
        data.put("prefetch", loader.prefetch());
        config.put("data", data);
        return new DemoOutcome("MaskContrast", "k-means", trained, random, ep, series, Map.of("epochs", cfg.epochs()),
                String.format("%d epochs; k-means on the saliency-weighted prototypes (PCA-whitened, 5 seeds).", cfg.epochs()), config);
    }

    private static DemoOutcome.Scores evaluate(MaskContrastModel model, DemoRunner.Data d, StageListener listener) throws IOException {
        List<Sample> val = d.val();
        KMeansProtocol.Result km = KMeansProtocol.evaluate(Prototypes.of(model, val, listener), val, d.classes(), d.classes() - 1, KMeansProtocol.PCA_DIMS,
                KMeansProtocol.SEEDS, listener);
        return DemoOutcome.Scores.withProbe(km.summary(), km.matchedMaps(), DecoderFeatures.of(model, d.trainGt(), listener),
                DecoderFeatures.of(model, val, listener), d.trainGt(), val, d.classes(), listener);
    }
}
