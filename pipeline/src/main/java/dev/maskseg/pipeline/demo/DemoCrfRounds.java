package dev.maskseg.pipeline.demo;

import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillTrainer;
import dev.maskseg.pipeline.predict.Labeller;
import dev.maskseg.pipeline.train.TrainProgress;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code demo --method maskdistill --crf-rounds N}: MaskDistill's CRF self-training rounds (docs/methods.md §3.7) on the
 * generated scenes, in memory: each round segments every train image with the previous network and the dense CRF, and
 * trains a fresh network (same configuration and seed) on those maps. Each round's row: its training maps against the
 * train ground truth, and the network's val mIoU without and with the CRF (matched as the demo scores MaskDistill:
 * Hungarian, or the IoU majority when over-clustering). The demo takes the previous round's last network (the official code takes the best on val; the demo
 * keeps val for scoring only).
 */
final class DemoCrfRounds {
    private DemoCrfRounds() {}

    /** Round 0's row (the network trained on the pseudo maps) and one row per CRF round. */
    static List<Map<String, Object>> run(MaskDistillConfig cfg, Module first, Double pseudoMiou, List<Sample> trainGt, List<Sample> val, int classes,
                                         Miou.Matching matching, int rounds, StageListener listener) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row(0, "pseudo maps", pseudoMiou, first, val, classes, matching, listener));
        Module model = first;
        for (int r = 1; r <= rounds; r++) {
            listener.info(String.format("demo: CRF round %d/%d: segmenting %d train images with the dense CRF, training a fresh %s segmenter for %d epochs",
                    r, rounds, trainGt.size(), cfg.backbone(), cfg.epochs()));
            List<Sample> maps = new ArrayList<>();
            List<int[]> labels = new ArrayList<>();
            model.eval();
            try (StageListener.Task task = listener.task("CRF maps of the train images", trainGt.size(), "images")) {
                for (Sample s : trainGt) {
                    int[] l = Labeller.labels(model::forward, s, 0, DenseCrf.Params.official());
                    byte[] b = new byte[l.length];
                    for (int i = 0; i < l.length; i++) b[i] = (byte) l[i];
                    maps.add(new Sample(s.rgb(), b, s.width(), s.height()));
                    labels.add(l);
                    task.step();
                }
            }
            double mapsMiou = Miou.evaluate(Confusion.of(labels, trainGt, classes), matching).miou();
            MaskDistillTrainer trainer = new MaskDistillTrainer(cfg);
            int steps = maps.size() / cfg.batch();
            try (TrainProgress progress = new TrainProgress(listener, "train (CRF round " + r + ")", cfg.epochs(), steps, cfg.batch(), 0)) {
                trainer.train(maps, null, (e, s, n, loss, lr) -> progress.step(e, loss, lr));
            }
            model = trainer.model;
            rows.add(row(r, "CRF predictions of round " + (r - 1), mapsMiou, model, val, classes, matching, listener));
        }
        return rows;
    }

    private static Map<String, Object> row(int round, String labels, Double labelsMiou, Module model, List<Sample> val, int classes, Miou.Matching matching,
                                           StageListener listener) {
        model.eval();
        List<int[]> plain = new ArrayList<>(), crf = new ArrayList<>();
        try (StageListener.Task task = listener.task("val predictions with and without the CRF", val.size(), "images")) {
            for (Sample s : val) {
                plain.add(Labeller.labels(model::forward, s, 0, null));
                crf.add(Labeller.labels(model::forward, s, 0, DenseCrf.Params.official()));
                task.step();
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", round);
        row.put("train_labels", labels);
        row.put("train_labels_miou", labelsMiou);
        row.put("miou", Miou.evaluate(Confusion.of(plain, val, classes), matching).miou());
        row.put("miou_crf", Miou.evaluate(Confusion.of(crf, val, classes), matching).miou());
        return row;
    }
}
