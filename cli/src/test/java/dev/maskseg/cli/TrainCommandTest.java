package dev.maskseg.cli;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.data.SyntheticScenes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train maskcontrast}: YAML config and --set, run outputs, and a SIGKILLed run resumed to identical weights. */
class TrainCommandTest {
    @TempDir
    Path tmp;
    Path config;

    /** Generated scenes; their ground-truth objects as the 0/255 masks a prior would write. */
    @BeforeEach
    void data() throws Exception {
        Path data = tmp.resolve("data"), masks = Files.createDirectories(tmp.resolve("masks"));
        SyntheticScenes.write(data, 60, 40, 3);
        for (String id : Files.readAllLines(data.resolve("ImageSets/Segmentation/train.txt"))) {
            BufferedImage lab = ImageIO.read(data.resolve("SegmentationClass/" + id + ".png").toFile());
            BufferedImage m = new BufferedImage(lab.getWidth(), lab.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
            int[] px = lab.getRaster().getPixels(0, 0, lab.getWidth(), lab.getHeight(), (int[]) null);
            for (int i = 0; i < px.length; i++) px[i] = px[i] != 0 ? 255 : 0;
            m.getRaster().setPixels(0, 0, lab.getWidth(), lab.getHeight(), px);
            ImageIO.write(m, "png", masks.resolve(id + ".png").toFile());
        }
        config = tmp.resolve("run.yml");
        Files.writeString(config, String.join("\n",
                "data:", "  root: " + data, "  split: train", "  masks: " + masks, "  workers: 1",
                "maskcontrast:", "  backbone: small", "  width: 8", "  ndim: 8", "  epochs: 3", "  batch: 4", "  queue: 8",
                "  crop: 32", "  lr: 0.05", "  key_momentum: 0.9", "  freeze_early_layers: false", "  seed: 7", ""));
    }

    @Test
    void sigkillInEpochTwoThenResumeGivesIdenticalWeights() throws Exception {
        Path straight = tmp.resolve("straight"), killed = tmp.resolve("killed");
        Console a = Console.run("--backend", "jvm", "train", "maskcontrast", "--config", config.toString(), "--out", straight.toString());
        assertEquals(0, a.code(), a.err());
        for (String f : new String[]{"model.safetensors", "checkpoint.safetensors", "config.yml", "metrics.csv", "metrics.json"}) {
            assertTrue(Files.size(straight.resolve(f)) > 0, f);
        }
        assertEquals(4, Files.readAllLines(straight.resolve("metrics.csv")).size(), "header + 3 epochs");

        Process p = Console.spawn("--backend", "jvm", "train", "maskcontrast", "--config", config.toString(), "--out", killed.toString());
        Path csv = killed.resolve("metrics.csv");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!(Files.exists(csv) && Files.readAllLines(csv).size() >= 2) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
        p.waitFor();
        assertEquals("1", SafeTensors.metadata(killed.resolve("checkpoint.safetensors")).get("epoch"), "killed after epoch 1's checkpoint, in epoch 2");
        assertTrue(!Files.exists(killed.resolve("model.safetensors")), "the killed run did not finish");
        Path stale = Files.writeString(killed.resolve(".checkpoint.safetensors.k1ll3d.tmp"), "half a file"); // as a writer killed mid-file leaves

        Console b = Console.run("--backend", "jvm", "train", "maskcontrast", "--config", config.toString(), "--out", killed.toString(), "--resume");
        assertEquals(0, b.code(), b.err());
        assertTrue(!Files.exists(stale), "the resumed run removed the stale temp file");
        try (var files = Files.list(killed)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(), "no temp file left");
        }
        assertTrue(b.out().contains("resumed after epoch 1"), b.out());
        Map<String, Tensor> x = SafeTensors.read(straight.resolve("model.safetensors")), y = SafeTensors.read(killed.resolve("model.safetensors"));
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) assertArrayEquals(x.get(k).toFloatArray(), y.get(k).toFloatArray(), k);
        assertEquals(Files.readAllLines(straight.resolve("metrics.csv")).size(), Files.readAllLines(csv).size());
    }

    @Test
    void setOverridesAndConfigErrorsAreOneClearLine() throws Exception {
        Path out = tmp.resolve("one");
        Console ok = Console.run("train", "maskcontrast", "--config", config.toString(), "--set", "maskcontrast.epochs=1", "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.csv")).size());
        assertTrue(Files.readString(out.resolve("config.yml")).contains("epochs: 1"));

        Console unknown = Console.run("train", "maskcontrast", "--config", config.toString(), "--set", "maskcontrast.epoch=1", "--out", out.toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("unknown key maskcontrast.epoch") && unknown.err().contains("epochs"), unknown.err());

        Console queue = Console.run("train", "maskcontrast", "--config", config.toString(), "--set", "maskcontrast.queue=10", "--out", out.toString());
        assertEquals(1, queue.code());
        assertTrue(queue.err().contains("multiple of the batch"), queue.err());
    }

    @Test
    void trainedModelEvaluatesAndPredicts() throws Exception {
        Path run = tmp.resolve("run"), data = tmp.resolve("data");
        assertEquals(0, Console.run("train", "maskcontrast", "--config", config.toString(), "--set", "maskcontrast.epochs=1", "--out", run.toString()).code());
        Path model = run.resolve("model.safetensors");
        Console km = Console.run("eval", "kmeans", "--model", model.toString(), "--data", data.toString(), "--num-classes", "5",
                "--seeds", "1,2", "--json", tmp.resolve("km.json").toString());
        assertEquals(0, km.code(), km.err());
        var kj = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("km.json").toFile());
        double mean = (kj.get("miou_per_seed").get(0).asDouble() + kj.get("miou_per_seed").get(1).asDouble()) / 2;
        assertEquals(mean, kj.get("miou").asDouble(), 1e-12);
        assertEquals(5, kj.get("per_class_iou").size());
        Console small = Console.run("eval", "kmeans", "--model", model.toString(), "--data", data.toString(), "--num-classes", "5",
                "--seeds", "1", "--size", "24", "--json", tmp.resolve("km24.json").toString());
        assertEquals(0, small.code(), small.err());
        long valPixels = 0;
        for (String id : Files.readAllLines(data.resolve("ImageSets/Segmentation/val.txt"))) {
            for (int v : dev.maskseg.pipeline.data.LabelMaps.read(data.resolve("SegmentationClass/" + id + ".png")).labels()) valPixels += v != 255 ? 1 : 0;
        }
        var k24 = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("km24.json").toFile());
        assertEquals(valPixels, k24.get("scored_pixels").asLong(), "--size 24 predicts at 24x24 and scores the stored 40x40 labels");

        Path probe = tmp.resolve("probe.safetensors");
        Console lin = Console.run("eval", "linear", "--model", model.toString(), "--data", data.toString(), "--num-classes", "5",
                "--epochs", "2", "--batch", "4", "--json", tmp.resolve("lin.json").toString(), "--save-probe", probe.toString());
        assertEquals(0, lin.code(), lin.err());
        var lj = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("lin.json").toFile());
        double miou = lj.get("miou").asDouble(-1);
        assertTrue(miou >= 0 && miou <= 1, "linear mIoU " + miou);
        assertEquals(2, lj.get("val_miou_per_epoch").size());
        int best = lj.get("selected_epoch").asInt();
        double e1 = lj.get("val_miou_per_epoch").get(0).asDouble(), e2 = lj.get("val_miou_per_epoch").get(1).asDouble();
        assertEquals(e2 > e1 ? 2 : 1, best, "the best val epoch, the first on ties (official: strictly better replaces)");
        assertEquals("maskcontrast", lj.get("model").asText());
        assertEquals(25, lj.get("decay_epoch").asInt(), "the §2.7.1 recipe");

        Console aug = Console.run("eval", "linear", "--model", model.toString(), "--data", data.toString(), "--num-classes", "5",
                "--epochs", "2", "--batch", "4", "--augment", "--json", tmp.resolve("aug.json").toString(), "--save-probe", tmp.resolve("aug.safetensors").toString());
        assertEquals(0, aug.code(), aug.err());
        var aj = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("aug.json").toFile());
        assertTrue(aj.get("augment").asBoolean() && aj.get("miou").asDouble(-1) >= 0, aj.toString());
        float[] plain = SafeTensors.read(probe).get("weight").toFloatArray(), augmented = SafeTensors.read(tmp.resolve("aug.safetensors")).get("weight").toFloatArray();
        assertTrue(!java.util.Arrays.equals(plain, augmented), "augmented views train a different probe");

        Console ret = Console.run("eval", "retrieval", "--model", model.toString(), "--data", data.toString(), "--num-classes", "5",
                "--classes", "1,3", "--json", tmp.resolve("ret.json").toString());
        assertEquals(0, ret.code(), ret.err());
        var rj = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("ret.json").toFile());
        double r1 = rj.get("per_class_iou").get(1).asDouble(), r3 = rj.get("per_class_iou").get(3).asDouble();
        assertEquals((r1 + r3) / 2, rj.get("miou").asDouble(), 1e-12, "mean over the kept classes, background excluded");
        assertEquals(0.0, rj.get("per_class_iou").get(2).asDouble(-1), "class 2 ignored: never predicted, IoU 0");
        assertEquals(Files.readAllLines(data.resolve("ImageSets/Segmentation/train.txt")).size(), rj.get("bank_images").asInt() + rj.get("bank_skipped").asInt(),
                "every train image is in the bank or skipped");

        Path pred = tmp.resolve("pred");
        Console pr = Console.run("predict", "--model", model.toString(), "--probe", probe.toString(), "--images", data.resolve("JPEGImages").toString(),
                "--out", pred.toString());
        assertEquals(0, pr.code(), pr.err());
        var labels = dev.maskseg.pipeline.data.LabelMaps.read(pred.resolve("scene_00000.png"));
        assertEquals(40, labels.width());
        for (int v : labels.labels()) assertTrue(v >= 0 && v < 5, "label " + v);
        assertTrue(Files.size(pred.resolve("overlay/scene_00000.png")) > 0);
        Console sal = Console.run("predict", "--model", model.toString(), "--images", data.resolve("JPEGImages").toString(), "--out", tmp.resolve("sal").toString());
        assertEquals(0, sal.code(), sal.err());
        for (int v : dev.maskseg.pipeline.data.LabelMaps.read(tmp.resolve("sal/scene_00001.png")).labels()) assertTrue(v == 0 || v == 1);
    }
}
