package dev.maskseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.SyntheticScenes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train maskdistill}: scored candidates from a prior folder become pseudo maps by the §3.5 rule, a bad mask is
 * one message, the model predicts label maps that {@code eval miou} matches, and a SIGKILLed run resumes to identical
 * weights.
 */
class TrainMaskDistillCommandTest {
    @TempDir
    Path tmp;
    Path data, masks, config;
    List<String> ids;

    /**
     * Two candidates per train image, as a multi-mask prior writes them: {@code _0} = the ground-truth objects, {@code _1}
     * = the whole image. Normally _0 scores 0.95 and _1 0.5 (below τ = 0.9); on the first image both are below τ and
     * the top one (_0) is the fallback; on the second _1 scores higher but below τ, so _1 alone is kept.
     */
    @BeforeEach
    void data() throws Exception {
        data = tmp.resolve("data");
        masks = Files.createDirectories(tmp.resolve("masks"));
        SyntheticScenes.write(data, 48, 40, 5);
        ids = Files.readAllLines(data.resolve("ImageSets/Segmentation/train.txt"));
        Map<String, Object> images = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            int[] gt = LabelMaps.read(data.resolve("SegmentationClass/" + id + ".png")).labels();
            int[] objects = new int[gt.length], all = new int[gt.length];
            for (int p = 0; p < gt.length; p++) {
                objects[p] = gt[p] != 0 ? 255 : 0;
                all[p] = 255;
            }
            writeMask(masks.resolve(id + "_0.png"), objects);
            writeMask(masks.resolve(id + "_1.png"), all);
            double s0 = i == 0 ? 0.6 : i == 1 ? 0.3 : 0.95, s1 = i == 1 ? 0.5 : 0.4;
            images.put(id, Map.of("status", "ok", "masks", List.of(Map.of("file", id + "_0.png", "score", s0), Map.of("file", id + "_1.png", "score", s1))));
        }
        new ObjectMapper().writeValue(masks.resolve("masks.json").toFile(), Map.of("prior", "test", "params", Map.of(), "images", images));
        config = tmp.resolve("run.yml");
        Files.writeString(config, String.join("\n",
                "data:", "  root: " + data, "  split: train", "  masks: " + masks, "  workers: 1",
                "clustering:", "  vit: vit_small_patch8", "  seed: 3",
                "maskdistill:", "  backbone: small", "  width: 8", "  clusters: 3", "  epochs: 3", "  batch: 4", "  size: 0", "  lr: 0.05",
                "  lr_step_epoch: 2", "  tau: 0.9", "  freeze_early_layers: false", "  seed: 7", "  detector: prior", ""));
    }

    private static void writeMask(Path f, int[] px) throws Exception {
        BufferedImage m = new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY);
        m.getRaster().setPixels(0, 0, 40, 40, px);
        ImageIO.write(m, "png", f.toFile());
    }

    @Test
    void pseudoMapsFollowTheConfidentMaskRuleAndAKilledRunResumesToIdenticalWeights() throws Exception {
        Path straight = tmp.resolve("straight"), killed = tmp.resolve("killed");
        Console a = Console.run("--backend", "jvm", "train", "maskdistill", "--config", config.toString(), "--out", straight.toString());
        assertEquals(0, a.code(), a.err());
        assertTrue(a.err().contains("randomly initialised vit_small_patch8"), a.err());
        for (String f : new String[]{"model.safetensors", "checkpoint.safetensors", "config.yml", "metrics.csv", "metrics.json", "pseudo/clusters.json"}) {
            assertTrue(Files.size(straight.resolve(f)) > 0, f);
        }
        assertEquals(4, Files.readAllLines(straight.resolve("metrics.csv")).size(), "header + 3 epochs");
        var clusters = new ObjectMapper().readTree(straight.resolve("pseudo/clusters.json").toFile());
        for (int i = 0; i < ids.size(); i++) {
            int[] gt = LabelMaps.read(data.resolve("SegmentationClass/" + ids.get(i) + ".png")).labels();
            int[] pseudo = LabelMaps.read(straight.resolve("pseudo/" + ids.get(i) + ".png")).labels();
            int wholeImageLabel = 1 + clusters.get("images").get(ids.get(i)).get(1).get("cluster").asInt();
            for (int p = 0; p < gt.length; p++) {
                if (i == 1) assertEquals(wholeImageLabel, pseudo[p], "image 1 keeps only its top candidate, the whole image");
                else assertEquals(gt[p] != 0, pseudo[p] != 0, "image " + i + " pixel " + p + ": only the objects candidate is kept");
            }
        }

        Path pred = tmp.resolve("pred");
        Console pr = Console.run("predict", "--model", straight.resolve("model.safetensors").toString(), "--images", data.resolve("JPEGImages").toString(),
                "--out", pred.toString());
        assertEquals(0, pr.code(), pr.err());
        for (int v : LabelMaps.read(pred.resolve(ids.get(0) + ".png")).labels()) assertTrue(v >= 0 && v <= 3, "label " + v);
        Path valList = data.resolve("ImageSets/Segmentation/val.txt");
        Console crf = Console.run("predict", "--crf", "--model", straight.resolve("model.safetensors").toString(), "--images",
                data.resolve("JPEGImages").toString(), "--split", valList.toString(), "--out", tmp.resolve("crf").toString());
        assertEquals(0, crf.code(), crf.err());
        List<String> val = Files.readAllLines(valList);
        try (var listed = Files.list(tmp.resolve("crf"))) {
            assertEquals(val.size(), listed.filter(f -> f.toString().endsWith(".png")).count(), "--split: only the val images");
        }
        for (int v : LabelMaps.read(tmp.resolve("crf/" + val.get(0) + ".png")).labels()) assertTrue(v >= 0 && v <= 3, "CRF label " + v);
        Console ev = Console.run("eval", "miou", "--pred", pred.toString(), "--gt", data.resolve("SegmentationClass").toString(), "--num-classes", "5",
                "--json", tmp.resolve("miou.json").toString());
        assertEquals(0, ev.code(), ev.err());
        double miou = new ObjectMapper().readTree(tmp.resolve("miou.json").toFile()).get("miou").asDouble(-1);
        assertTrue(miou >= 0 && miou <= 1, "mIoU " + miou);

        // §3.8's probe on the MaskDistill model: its last layer (the small segmenter's classifier, DeepLab's head.4) re-initialised
        Path mdProbe = tmp.resolve("md-probe.safetensors");
        Console lin = Console.run("eval", "linear", "--model", straight.resolve("model.safetensors").toString(), "--data", data.toString(),
                "--num-classes", "5", "--epochs", "2", "--batch", "4", "--size", "32", "--json", tmp.resolve("md-linear.json").toString(),
                "--save-probe", mdProbe.toString());
        assertEquals(0, lin.code(), lin.err());
        var lj = new ObjectMapper().readTree(tmp.resolve("md-linear.json").toFile());
        assertEquals("maskdistill", lj.get("model").asText());
        assertEquals(25, lj.get("decay_epoch").asInt(), "the §3.8 recipe: x0.1 after epoch 25");
        assertEquals(4, lj.get("batch").asInt());
        assertEquals(2, lj.get("val_miou_per_epoch").size());
        assertEquals(5, lj.get("per_class_iou").size());
        Console probePred = Console.run("predict", "--model", straight.resolve("model.safetensors").toString(), "--probe", mdProbe.toString(), "--size", "32",
                "--images", data.resolve("JPEGImages").toString(), "--out", tmp.resolve("md-probe-pred").toString());
        assertEquals(0, probePred.code(), probePred.err());
        var probeLabels = LabelMaps.read(tmp.resolve("md-probe-pred/" + ids.get(0) + ".png"));
        assertEquals(40, probeLabels.width(), "predicted at 32x32, written at the image's 40x40");
        for (int v : probeLabels.labels()) assertTrue(v >= 0 && v < 5, "probe class " + v);

        Process p = Console.spawn("--backend", "jvm", "train", "maskdistill", "--config", config.toString(), "--out", killed.toString());
        Path csv = killed.resolve("metrics.csv");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!(Files.exists(csv) && Files.readAllLines(csv).size() >= 2) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(2);
        p.destroyForcibly();
        p.waitFor();
        assertFalse(Files.exists(killed.resolve("model.safetensors")), "the killed run did not finish");
        int done = Integer.parseInt(SafeTensors.metadata(killed.resolve("checkpoint.safetensors")).get("epoch"));
        assertTrue(done >= 1 && done < 3, "killed after epoch " + done);

        Console b = Console.run("--backend", "jvm", "train", "maskdistill", "--config", config.toString(), "--out", killed.toString(), "--resume");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("reusing the pseudo maps") && b.out().contains("resumed after epoch " + done), b.out());
        Map<String, Tensor> x = SafeTensors.read(straight.resolve("model.safetensors")), y = SafeTensors.read(killed.resolve("model.safetensors"));
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) assertArrayEquals(x.get(k).toFloatArray(), y.get(k).toFloatArray(), k);
    }

    @Test
    void aMaskOfTheWrongSizeIsOneMessageAndStrictStops() throws Exception {
        String bad = ids.get(2);
        writeMaskOfSize(masks.resolve(bad + "_1.png"), 20, 40);
        Console run = Console.run("train", "maskdistill", "--config", config.toString(), "--set", "maskdistill.epochs=1", "--out", tmp.resolve("one").toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains(bad + "_1.png: mask of 20x40 for an image of 40x40; skipped"), run.err());
        assertFalse(Files.exists(tmp.resolve("one/pseudo/" + bad + ".png")));
        assertTrue(Files.exists(tmp.resolve("one/pseudo/" + ids.get(3) + ".png")));

        Console pseudoOnly = Console.run("train", "maskdistill", "--config", config.toString(), "--pseudo-only", "--out", tmp.resolve("pseudo-only").toString());
        assertEquals(0, pseudoOnly.code(), pseudoOnly.err());
        assertTrue(Files.exists(tmp.resolve("pseudo-only/pseudo/clusters.json")) && Files.exists(tmp.resolve("pseudo-only/pseudo/" + ids.get(3) + ".png")));
        assertFalse(Files.exists(tmp.resolve("pseudo-only/checkpoint.safetensors")), "--pseudo-only trains nothing");

        Console strict = Console.run("train", "maskdistill", "--config", config.toString(), "--strict", "--out", tmp.resolve("two").toString());
        assertEquals(1, strict.code());
        assertTrue(strict.err().contains(bad + "_1.png: mask of 20x40") && strict.err().contains("--strict"), strict.err());
    }

    private static void writeMaskOfSize(Path f, int w, int h) throws Exception {
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), "png", f.toFile());
    }
}
