package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.SyntheticScenes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train maskrcnn} (clusters → COCO training set → detector), {@code detect} on its model, {@code eval instances} on
 * the results, a SIGKILLed run resumed to the uninterrupted run's weights, and {@code train maskdistill} with the detector.
 */
class TrainMaskRcnnCommandTest {
    @TempDir
    Path tmp;
    Path data, masks, config;
    List<String> ids;

    /** One mask per train image: all its objects (as a saliency prior gives), without masks.json (score 1). */
    @BeforeEach
    void data() throws Exception {
        data = tmp.resolve("data");
        masks = Files.createDirectories(tmp.resolve("masks"));
        SyntheticScenes.write(data, 24, 40, 5);
        ids = Files.readAllLines(data.resolve("ImageSets/Segmentation/train.txt"));
        for (String id : ids) {
            int[] gt = LabelMaps.read(data.resolve("SegmentationClass/" + id + ".png")).labels();
            int[] m = new int[gt.length];
            for (int p = 0; p < gt.length; p++) m[p] = gt[p] != 0 ? 255 : 0;
            LabelMaps.write(masks.resolve(id + ".png"), 40, 40, m);
        }
        config = tmp.resolve("run.yml");
        Files.writeString(config, String.join("\n",
                "data:", "  root: " + data, "  split: train", "  masks: " + masks, "  workers: 1",
                "clustering:", "  vit: vit_small_patch8", "  seed: 3",
                "maskdistill:", "  backbone: small", "  width: 8", "  clusters: 2", "  epochs: 1", "  batch: 4", "  size: 0", "  lr: 0.05",
                "  lr_step_epoch: 1", "  tau: 0.9", "  freeze_early_layers: false", "  seed: 7",
                "maskrcnn:", "  width: 4", "  norm: bn", "  freeze_at: 0", "  min_size_train: [40]", "  min_size_test: 40", "  anchor_sizes: [16, 32]",
                "  rpn_batch: 32", "  rpn_pre_nms_train: 200", "  rpn_post_nms_train: 40", "  rpn_pre_nms_test: 200", "  rpn_post_nms_test: 20",
                "  roi_batch: 16", "  batch: 2", "  warmup_iters: 2", "  steps: [10]", "  max_iter: 12", "  checkpoint_period: 3", "  seed: 4", ""));
    }

    @Test
    void trainDetectEvaluateAndAKilledRunResumesToIdenticalWeights() throws Exception {
        Path straight = tmp.resolve("straight"), killed = tmp.resolve("killed");
        Console a = Console.run("--backend", "jvm", "train", "maskrcnn", "--config", config.toString(), "--out", straight.toString());
        assertEquals(0, a.code(), a.err());
        for (String f : new String[]{"model.safetensors", "checkpoint.safetensors", "instances.json", "clusters/clusters.json", "config.yml", "metrics.csv",
                "metrics.json"}) {
            assertTrue(Files.size(straight.resolve(f)) > 0, f);
        }
        assertEquals(5, Files.readAllLines(straight.resolve("metrics.csv")).size(), "header + 4 checkpoint periods");
        JsonNode instances = new ObjectMapper().readTree(straight.resolve("instances.json").toFile());
        assertEquals(ids.size(), instances.get("images").size());
        assertEquals(ids.size(), instances.get("annotations").size(), "one annotation per mask");
        assertEquals(2, instances.get("categories").size());
        assertEquals("maskrcnn", SafeTensors.metadata(straight.resolve("model.safetensors")).get("model"));

        Path results = tmp.resolve("results.json");
        Console d = Console.run("detect", "--model", straight.resolve("model.safetensors").toString(), "--images", data.resolve("JPEGImages").toString(),
                "--out", results.toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("detect: 24 images"), d.out());
        JsonNode r = new ObjectMapper().readTree(results.toFile());
        for (int i = 1; i < r.size(); i++) {
            if (r.get(i).get("image_id").equals(r.get(i - 1).get("image_id"))) {
                assertTrue(r.get(i).get("score").asDouble() <= r.get(i - 1).get("score").asDouble(), "scores descend within an image");
            }
            assertEquals(40, r.get(i).get("segmentation").get("size").get(0).asInt());
        }
        Console gt = Console.run("make-instances", "--voc", data.toString(), "--classes", "disc,box,triangle,cross", "--out", tmp.resolve("gt.json").toString());
        assertEquals(0, gt.code(), gt.err());
        Console ev = Console.run("eval", "instances", "--gt", tmp.resolve("gt.json").toString(), "--pred", results.toString(), "--class-agnostic",
                "--json", tmp.resolve("ap.json").toString());
        assertEquals(0, ev.code(), ev.err());
        double ap50 = new ObjectMapper().readTree(tmp.resolve("ap.json").toFile()).get("AP50").asDouble(-2);
        assertTrue(ap50 >= -1 && ap50 <= 1, "AP50 " + ap50);

        Process p = Console.spawn("--backend", "jvm", "train", "maskrcnn", "--config", config.toString(), "--out", killed.toString());
        Path csv = killed.resolve("metrics.csv");
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (!(Files.exists(csv) && Files.readAllLines(csv).size() >= 2) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(2);
        p.destroyForcibly();   // SIGKILL
        p.waitFor();
        assertFalse(Files.exists(killed.resolve("model.safetensors")), "the killed run did not finish");
        int done = Integer.parseInt(SafeTensors.metadata(killed.resolve("checkpoint.safetensors")).get("epoch"));
        assertTrue(done >= 3 && done < 12, "killed after iteration " + done);

        Console b = Console.run("--backend", "jvm", "train", "maskrcnn", "--config", config.toString(), "--out", killed.toString(), "--resume");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("reusing the clusters") && b.out().contains("resumed after iteration " + done), b.out());
        Map<String, Tensor> x = SafeTensors.read(straight.resolve("model.safetensors")), y = SafeTensors.read(killed.resolve("model.safetensors"));
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) assertArrayEquals(x.get(k).toFloatArray(), y.get(k).toFloatArray(), k);
        assertEquals(Files.readAllLines(straight.resolve("metrics.csv")).size(), Files.readAllLines(csv).size());

        Console again = Console.run("--backend", "jvm", "train", "maskrcnn", "--config", config.toString(), "--out", straight.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("holds a finished train maskrcnn run"), again.err());
    }

    @Test
    void trainMaskDistillPaintsTheDetectorsCandidates() throws Exception {
        Path out = tmp.resolve("distill");
        String[] sets = {"--set", "maskdistill.tau=0.0", "--set", "maskrcnn.score_threshold=0.0"};   // every image gets candidates, all painted
        Console c = Console.run(concat(new String[]{"--backend", "jvm", "train", "maskdistill", "--config", config.toString(), "--out", out.toString()}, sets));
        assertEquals(0, c.code(), c.err());
        for (String f : new String[]{"detector/model.safetensors", "detector/results.json", "detector/instances.json", "pseudo/maps.json", "model.safetensors"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        JsonNode maps = new ObjectMapper().readTree(out.resolve("pseudo/maps.json").toFile());
        assertEquals(0.0, maps.get("tau").asDouble());
        assertEquals("paper", maps.get("rule").asText());
        int images = maps.get("images").asInt();
        assertTrue(images > 0, "some train images have detections");
        int painted = 0;
        for (String id : ids) {
            Path m = out.resolve("pseudo/" + id + ".png");
            if (!Files.exists(m)) continue;
            painted++;
            for (int v : LabelMaps.read(m).labels()) assertTrue(v >= 0 && v <= 2, "label " + v);
        }
        assertEquals(images, painted);
        Console again = Console.run(concat(new String[]{"--backend", "jvm", "train", "maskdistill", "--config", config.toString(), "--out", out.toString(),
                "--resume"}, sets));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("reusing the pseudo maps"), again.out());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
