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
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code demo --method maskcontrast}: a small MaskContrast model trained on the mined masks, evaluated by the prototype
 * k-means protocol (5 seeds, Hungarian; §2.7.2) and a linear probe, next to the same network at random initialisation.
 */
final class MaskContrastDemo {
    private MaskContrastDemo() {}

    static DemoOutcome run(DemoOptions o, DemoRunner.Data d, StageListener listener) throws Exception {
        RunConfig run = o.config();
        MaskContrastConfig cfg = run.section("maskcontrast", MaskContrastConfig.demo(), MaskContrastConfig.class).withSeed(o.seed());
        DataConfig loader = run.section("data", DataConfig.defaults(), DataConfig.class);
        if (o.epochs() > 0) cfg = cfg.withEpochs(o.epochs());
        listener.info(String.format("demo: 3/4 training MaskContrast (%s backbone, width %d) on %d images with masks, %d epochs",
                cfg.backbone(), cfg.width(), d.trainMasked().size(), cfg.epochs()));
        MaskContrastTrainer trainer = new MaskContrastTrainer(cfg).loader(loader.workers(), loader.prefetch());
        int stepsPerEpoch = d.trainMasked().size() / cfg.batch();
        listener.start("train", (long) stepsPerEpoch * cfg.epochs(), 0);
        try {
            trainer.train(d.trainMasked(), o.out().resolve("checkpoint.safetensors"), (e, s, n, loss, lr) -> DemoRunner.trainStep(listener, e, loss, lr));
        } finally {
            listener.end();
        }
        listener.info("demo: 4/4 evaluating (k-means over 5 seeds, linear probe) trained and random-init networks");
        DemoOutcome.Scores trained = evaluate(trainer.query, d);
        MaskContrastModel randomInit = MaskContrastTrainer.create(cfg, o.seed() + 1000);
        BatchNormRecalibration.recalibrate(randomInit, d.trainGt(), 16, 2);
        DemoOutcome.Scores random = evaluate(randomInit, d);

        var hist = trainer.history();
        double[] ep = new double[hist.size()], tot = new double[hist.size()], con = new double[hist.size()], sal = new double[hist.size()];
        for (int i = 0; i < hist.size(); i++) {
            ep[i] = hist.get(i).epoch() + 1;
            tot[i] = hist.get(i).loss();
            con[i] = hist.get(i).contrastive();
            sal[i] = hist.get(i).saliency();
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("total", tot);
        series.put("contrastive", con);
        series.put("saliency BCE", sal);
        return new DemoOutcome("MaskContrast", "k-means", trained, random, ep, series, Map.of("epochs", cfg.epochs()),
                String.format("%d epochs; k-means on the saliency-weighted prototypes (PCA-whitened, 5 seeds).", cfg.epochs()));
    }

    private static DemoOutcome.Scores evaluate(MaskContrastModel model, DemoRunner.Data d) throws IOException {
        List<Sample> val = d.val();
        KMeansProtocol.Result km = KMeansProtocol.evaluate(Prototypes.of(model, val), val, d.classes(), d.classes() - 1, KMeansProtocol.PCA_DIMS,
                KMeansProtocol.SEEDS);
        return DemoOutcome.Scores.withProbe(km.summary(), km.matchedMaps(), DecoderFeatures.of(model, d.trainGt()), DecoderFeatures.of(model, val),
                d.trainGt(), val, d.classes());
    }
}
