package dev.maskseg.pipeline.demo;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.instances.CocoDataset;
import dev.maskseg.pipeline.instances.CocoEval;
import dev.maskseg.pipeline.instances.CocoJson;
import dev.maskseg.pipeline.instances.CocoResult;
import dev.maskseg.pipeline.instances.ImageId;
import dev.maskseg.pipeline.instances.Rle;
import dev.maskseg.pipeline.instances.Segmentation;
import dev.maskseg.pipeline.instances.VocInstances;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.PseudoMaps;
import dev.maskseg.pipeline.maskrcnn.DetectStage;
import dev.maskseg.pipeline.maskrcnn.InstanceDetector;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnConfig;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnDetector;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnTrainer;
import dev.maskseg.pipeline.maskrcnn.TrainingSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The detector stage of {@code demo --method maskdistill} (docs/methods.md §3.4–3.5) on the generated scenes, in memory:
 * each train image's mined mask with its cluster as the training set, a small Mask R-CNN trained on it ({@code maskrcnn:}
 * section, written to {@code detector/model.safetensors}), its candidates on the val split scored against the val
 * objects (class-agnostic mask AP50, as the prior's own masks), and its candidates on the train images painted into
 * the pseudo maps by the §3.5 rule. The val ground truth, both results files and the AP figures are written to
 * {@code detector/} so that {@code maskseg eval instances} reproduces them.
 */
final class DemoDetector {
    /** The pseudo maps (train images with at least one detection, with their ground truth in the same order) and the figures. */
    record Outcome(List<Sample> pseudo, List<Sample> pseudoGt, Map<String, Object> metrics, String notes) {}

    private DemoDetector() {}

    static Outcome run(DemoOptions o, DemoRunner.Data d, int[] cluster, MaskDistillConfig cfg, MaskRcnnConfig mcfg, StageListener listener) throws IOException {
        DemoRunner.Sources src = d.sources();
        Path dir = Files.createDirectories(o.out().resolve("detector"));
        Map<ImageId, Sample> pixels = new HashMap<>();
        List<TrainingSet.Image> train = new ArrayList<>();
        for (int i = 0; i < d.trainMasked().size(); i++) {
            Sample s = d.trainMasked().get(i);
            Rle rle = Rle.encode(s.mask(), s.height(), s.width());
            if (rle.area() == 0) continue;
            double[] b = rle.toBbox();
            ImageId id = ImageId.of(src.trainMaskedIds().get(i));
            pixels.put(id, s);
            train.add(new TrainingSet.Image(id, src.dataset().resolve("JPEGImages/" + id.text() + ".jpg"), s.width(), s.height(),
                    List.of(new TrainingSet.Instance(cluster[i], new double[]{b[0], b[1], b[0] + b[2], b[1] + b[3]}, rle))));
        }
        listener.info(String.format("demo: Mask R-CNN (width %d, %s) on %d masks in %d clusters, %d iterations of %d images", mcfg.width(), mcfg.norm(),
                train.size(), cfg.clusters(), mcfg.maxIter(), mcfg.batch()));
        long start = System.nanoTime();
        MaskRcnnTrainer trainer = new MaskRcnnTrainer(mcfg, cfg.clusters());
        listener.start("train detector", mcfg.maxIter(), 0);
        try {
            trainer.train(train, im -> pixels.get(im.id()), dir.resolve("checkpoint.safetensors"), (it, total, t, lr) ->
                    listener.advance(1, String.format("iter %d loss %.3f (rpn %.3f/%.3f cls %.3f box %.3f mask %.3f) lr %.4f", it + 1, total, t[0], t[1], t[2], t[3], t[4], lr)));
        } finally {
            listener.end();
        }
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        long[] ids = new long[cfg.clusters()];
        for (int c = 0; c < ids.length; c++) ids[c] = c;
        trainer.saveModel(dir.resolve("model.safetensors"), ids);
        MaskRcnnDetector detector = new MaskRcnnDetector(trainer.model, mcfg, ids);

        // class-agnostic mask AP50 on val: the prior's masks (its scores) and the detector's candidates
        CocoDataset gt = VocInstances.build(src.dataset(), src.valIds(), SyntheticScenes.CLASSES.subList(1, SyntheticScenes.CLASSES.size()), false).dataset();
        List<CocoResult> prior = priorResults(src, d.val()), detected = detect(new DetectStage(detector, false), src.valIds(), d.val(), "detect val", listener);
        CocoEval.Options agnostic = new CocoEval.Options(CocoEval.IouType.SEGM, true, false);
        double[] priorStats = CocoEval.evaluate(gt, prior, agnostic).stats().toArray(), detStats = CocoEval.evaluate(gt, detected, agnostic).stats().toArray();
        CocoJson.writeDataset(dir.resolve("val_gt.json"), gt);
        CocoJson.writeResults(dir.resolve("val_prior.json"), prior);
        CocoJson.writeResults(dir.resolve("val_detections.json"), detected);

        // the pseudo maps: the detector's candidates on every train image, the confident ones painted
        PseudoMaps.Rule rule = PseudoMaps.Rule.parse(cfg.paint());
        List<Sample> pseudo = new ArrayList<>(), pseudoGt = new ArrayList<>();
        int painted = 0, candidates = 0;
        listener.start("detect train", d.trainGt().size(), 0);
        try {
            for (Sample s : d.trainGt()) {
                List<PseudoMaps.Candidate> cands = new ArrayList<>();
                for (InstanceDetector.Detection det : detector.detect(s)) cands.add(new PseudoMaps.Candidate(det.mask(), det.score(), det.classIndex()));
                listener.advance(1, null);
                if (cands.isEmpty()) continue;
                candidates += cands.size();
                painted += PseudoMaps.confident(cands, cfg.tau()).size();
                pseudo.add(new Sample(s.rgb(), PseudoMaps.paint(s.width(), s.height(), cands, cfg.tau(), rule), s.width(), s.height()));
                pseudoGt.add(s);
            }
        } finally {
            listener.end();
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prior_mask_ap50", priorStats[1]);
        m.put("detector_mask_ap50", detStats[1]);
        m.put("prior_mask_ap", priorStats[0]);
        m.put("detector_mask_ap", detStats[0]);
        m.put("detector_val_detections", detected.size());
        m.put("detector_iterations", mcfg.maxIter());
        m.put("detector_train_seconds", trainSeconds);
        m.put("detector_seconds", seconds);
        m.put("detector_train_images_with_maps", pseudo.size());
        m.put("detector_candidates_painted", painted);
        m.put("detector_candidates", candidates);
        listener.info(String.format("demo: class-agnostic mask AP50 on val: prior %.3f, detector %.3f (AP %.3f vs %.3f); %d of %d train candidates "
                + "painted (tau %.2f, %s rule) into %d maps; %.0f s", priorStats[1], detStats[1], priorStats[0], detStats[0], painted, candidates, cfg.tau(),
                cfg.paint(), pseudo.size(), seconds));
        String notes = String.format(" Mask R-CNN (width %d, %s, %d iterations of %d images, random init): class-agnostic mask AP50 on val %.3f against the "
                        + "prior's %.3f; its confident candidates (tau %.2f) make the pseudo maps.", mcfg.width(), mcfg.norm(), mcfg.maxIter(), mcfg.batch(),
                detStats[1], priorStats[1], cfg.tau());
        return new Outcome(pseudo, pseudoGt, m, notes);
    }

    /** The prior's masks on the val images as COCO results (the mask files' scores). */
    private static List<CocoResult> priorResults(DemoRunner.Sources src, List<Sample> val) throws IOException {
        PriorMasks prior = PriorMasks.open(src.masks());
        List<CocoResult> out = new ArrayList<>();
        for (int i = 0; i < val.size(); i++) {
            Sample s = val.get(i);
            for (PriorMasks.Candidate c : prior.candidates(src.valIds().get(i))) {
                Rle rle = Rle.encode(PriorMasks.read(c.file(), s.width(), s.height()), s.height(), s.width());
                if (rle.area() > 0) out.add(new CocoResult(ImageId.of(src.valIds().get(i)), 1, c.score(), Segmentation.of(rle), rle.toBbox()));
            }
        }
        return out;
    }

    private static List<CocoResult> detect(DetectStage stage, List<String> ids, List<Sample> images, String task, StageListener listener) {
        List<CocoResult> out = new ArrayList<>();
        listener.start(task, images.size(), 0);
        try {
            for (int i = 0; i < images.size(); i++) {
                out.addAll(stage.results(ids.get(i), images.get(i)));
                listener.advance(1, null);
            }
        } finally {
            listener.end();
        }
        return out;
    }

    /** The pseudo maps' mIoU against the ground truth of the same train images. */
    static double pseudoMiou(List<Sample> pseudo, List<Sample> gt, int classes, Miou.Matching matching) {
        List<int[]> maps = new ArrayList<>();
        for (Sample s : pseudo) {
            int[] m = new int[s.mask().length];
            for (int i = 0; i < m.length; i++) m[i] = s.mask()[i] & 255;
            maps.add(m);
        }
        return Miou.evaluate(Confusion.of(maps, gt, classes), matching).miou();
    }
}
