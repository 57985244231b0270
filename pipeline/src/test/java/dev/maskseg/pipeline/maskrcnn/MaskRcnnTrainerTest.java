package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.engine.Tensor;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.instances.ImageId;
import dev.maskseg.pipeline.instances.Rle;
import dev.maskseg.pipeline.train.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mask R-CNN training on generated scenes (one instance per visible object, class = its category): the schedule, the
 * loss going down, an interrupted run resumed from its checkpoint reaching the uninterrupted run's weights bit for bit,
 * and the model file detecting through {@link MaskRcnnDetector}.
 */
class MaskRcnnTrainerTest {
    @TempDir
    Path tmp;

    static MaskRcnnConfig tiny(String... sets) throws IOException {
        List<String> all = new ArrayList<>(List.of("maskrcnn.width=4", "maskrcnn.batch=2", "maskrcnn.roi_batch=16", "maskrcnn.rpn_batch=32",
                "maskrcnn.min_size_train=[40, 48]", "maskrcnn.min_size_test=40", "maskrcnn.anchor_sizes=[16, 32]", "maskrcnn.rpn_pre_nms_train=200",
                "maskrcnn.rpn_post_nms_train=50", "maskrcnn.rpn_post_nms_test=30", "maskrcnn.warmup_iters=2", "maskrcnn.steps=[5]",
                "maskrcnn.max_iter=6", "maskrcnn.checkpoint_period=2", "maskrcnn.seed=5"));
        all.addAll(List.of(sets));
        return RunConfig.parse("test", "", all).section("maskrcnn", MaskRcnnConfig.demo(), MaskRcnnConfig.class);
    }

    /** Scenes as training images: one instance per visible object, class = category - 1; pixels kept in memory. */
    static List<TrainingSet.Image> scenes(int n, int size, Map<ImageId, Sample> pixels) {
        List<TrainingSet.Image> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SyntheticScenes.Scene s = SyntheticScenes.generate(size, size, new SplittableRandom(100 + i));
            List<TrainingSet.Instance> inst = new ArrayList<>();
            for (int o = 1; o <= 3; o++) {
                boolean[] m = new boolean[size * size];
                int cls = -1;
                for (int p = 0; p < m.length; p++) {
                    if (s.objects()[p] != o) continue;
                    m[p] = true;
                    cls = s.label()[p] - 1;
                }
                if (cls < 0) continue;
                Rle rle = Rle.encode(m, size, size);
                double[] b = rle.toBbox();
                inst.add(new TrainingSet.Instance(cls, new double[]{b[0], b[1], b[0] + b[2], b[1] + b[3]}, rle));
            }
            ImageId id = ImageId.of("s" + i);
            pixels.put(id, Sample.of(s.image(), new byte[size * size]));
            out.add(new TrainingSet.Image(id, Path.of("s" + i + ".jpg"), size, size, inst));
        }
        return out;
    }

    @Test
    void warmUpThenStepsAsDetectron2() {
        MaskRcnnConfig c = MaskRcnnConfig.official();
        assertEquals(0.02 * 0.001, c.lrAt(0), 1e-15);
        assertEquals(0.02 * (0.001 + 0.999 * 50 / 100.0), c.lrAt(50), 1e-15);
        assertEquals(0.02, c.lrAt(100), 1e-15);
        assertEquals(0.02, c.lrAt(19999), 1e-15);
        assertEquals(0.002, c.lrAt(20000), 1e-15);
        assertEquals(0.0002, c.lrAt(22000), 1e-15);
        assertArrayEquals(new int[]{800, 1067}, MaskRcnnConfig.resizedSize(480, 640, 800, 1333));
        assertArrayEquals(new int[]{667, 1333}, MaskRcnnConfig.resizedSize(500, 1000, 800, 1333));
    }

    @Test
    void theLossGoesDownOnAFewScenes() throws Exception {
        Map<ImageId, Sample> px = new HashMap<>();
        List<TrainingSet.Image> data = scenes(6, 48, px);
        MaskRcnnConfig cfg = tiny("maskrcnn.width=8", "maskrcnn.max_iter=40", "maskrcnn.steps=[]", "maskrcnn.checkpoint_period=20", "maskrcnn.flip=false",
                "maskrcnn.min_size_train=[48]");
        MaskRcnnTrainer t = new MaskRcnnTrainer(cfg, 4);
        t.train(data, im -> px.get(im.id()), null, null);
        List<double[]> h = t.history();
        assertEquals(2, h.size());
        assertTrue(h.get(1)[0] < 0.8 * h.get(0)[0], "mean loss of iterations 20..39 " + h.get(1)[0] + " vs 0..19 " + h.get(0)[0]);
    }

    @Test
    void freezeAtTwoKeepsTheStemAndRes2AsTheyWereAndTrainsTheRest() throws Exception {
        Map<ImageId, Sample> px = new HashMap<>();
        List<TrainingSet.Image> data = scenes(2, 40, px);
        MaskRcnnTrainer t = new MaskRcnnTrainer(tiny("maskrcnn.freeze_at=2", "maskrcnn.max_iter=2", "maskrcnn.steps=[]"), 4);
        Map<String, float[]> before = new HashMap<>();
        t.model.stateDict().forEach((k, v) -> before.put(k, v.toFloatArray()));
        t.train(data, im -> px.get(im.id()), null, null);
        int frozen = 0, changed = 0;
        for (var e : t.model.stateDict().entrySet()) {
            String k = e.getKey();
            if (k.startsWith("backbone.stem.") || k.startsWith("backbone.res2.")) {
                assertArrayEquals(before.get(k), e.getValue().toFloatArray(), k + " is frozen (weights and BN statistics)");
                frozen++;
            } else if (k.endsWith("conv1.weight") && !java.util.Arrays.equals(before.get(k), e.getValue().toFloatArray())) {
                changed++;
            }
        }
        assertTrue(frozen >= 2 * 5 + 3 * 3 * 5, "stem and res2 entries checked: " + frozen);
        assertTrue(changed >= 3 + 4, "res3..res5 first convolutions are trained: " + changed);
    }

    @Test
    void anInterruptedRunResumesToTheSameWeightsAndTheModelFileDetects() throws Exception {
        Map<ImageId, Sample> px = new HashMap<>();
        List<TrainingSet.Image> data = scenes(5, 40, px);
        MaskRcnnConfig cfg = tiny();
        MaskRcnnTrainer straight = new MaskRcnnTrainer(cfg, 4);
        straight.train(data, im -> px.get(im.id()), tmp.resolve("a.safetensors"), null);
        assertEquals(6, straight.iteration());

        Path ckpt = tmp.resolve("b.safetensors");
        MaskRcnnTrainer killed = new MaskRcnnTrainer(cfg, 4);
        assertThrows(IllegalStateException.class, () -> killed.train(data, im -> px.get(im.id()), ckpt, new MaskRcnnTrainer.Listener() {
            @Override public void step(int iteration, double total, double[] terms, double lr) {}

            @Override public void period(int iteration, double[] mean, double lr, double seconds, int images) {
                if (iteration == 4) throw new IllegalStateException("killed");
            }
        }));
        MaskRcnnTrainer resumed = new MaskRcnnTrainer(cfg, 4);
        resumed.resume(ckpt);
        assertEquals(4, resumed.iteration());
        assertEquals(2, resumed.history().size());
        resumed.train(data, im -> px.get(im.id()), ckpt, null);
        Map<String, Tensor> a = straight.model.stateDict(), b = resumed.model.stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
        for (int i = 0; i < 3; i++) assertArrayEquals(straight.history().get(i), resumed.history().get(i), 0.0);

        // the model file: same weights back, detections at the image's own size, category ids from the training set
        Path file = tmp.resolve("model.safetensors");
        straight.saveModel(file, new long[]{7, 8, 9, 10});
        ModelFiles.MaskRcnn loaded = ModelFiles.loadMaskRcnn(file, MaskRcnnConfig.official());
        assertEquals(cfg, loaded.cfg());
        assertArrayEquals(new long[]{7, 8, 9, 10}, loaded.categoryIds());
        for (var e : straight.model.stateDict().entrySet()) assertArrayEquals(e.getValue().toFloatArray(), loaded.model().stateDict().get(e.getKey()).toFloatArray(), e.getKey());
        MaskRcnnDetector det = new MaskRcnnDetector(loaded);
        Sample img = px.get(ImageId.of("s0"));
        var found = det.detect(img);
        assertFalse(found.size() > cfg.detections());
        for (int i = 0; i < found.size(); i++) {
            assertEquals(40 * 40, found.get(i).mask().length);
            if (i > 0) assertTrue(found.get(i).score() <= found.get(i - 1).score());
            assertTrue(found.get(i).score() > cfg.scoreThreshold());
        }
        assertEquals(9, det.categoryId(2));
        assertTrue(Files.size(file) > 0);
    }
}
