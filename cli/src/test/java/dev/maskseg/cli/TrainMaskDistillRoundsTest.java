package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.SyntheticScenes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train maskdistill --labels DIR --crf-rounds 1} with a val: section: the segmenter trains on given label maps
 * (palette and gray PNGs, 255 ignored; a label outside 0..C or an RGB map is one message and the image is skipped),
 * is scored on val every epoch, and one CRF round (§3.7) predicts the train split with the CRF and trains a fresh
 * network on those maps; metrics.csv/metrics.json hold both rounds; a resumed finished run redoes nothing.
 */
class TrainMaskDistillRoundsTest {
    @TempDir
    Path tmp;

    @Test
    void givenLabelMapsThenOneCrfRound() throws Exception {
        Path data = tmp.resolve("data"), labels = Files.createDirectories(tmp.resolve("labels")), out = tmp.resolve("run");
        SyntheticScenes.write(data, 24, 32, 9);
        List<String> train = Files.readAllLines(data.resolve("ImageSets/Segmentation/train.txt"));
        for (int i = 0; i < train.size(); i++) {
            String id = train.get(i);
            int[] gt = LabelMaps.read(data.resolve("SegmentationClass/" + id + ".png")).labels();
            for (int x = 0; x < 32; x++) gt[x] = 255; // the top row ignored
            if (i == 0) gt[40] = 7;                   // a label outside 0..4
            if (i == 1) writeRgb(labels.resolve(id + ".png"));
            else if (i % 2 == 0) writePalette(labels.resolve(id + ".png"), gt);
            else LabelMaps.write(labels.resolve(id + ".png"), 32, 32, gt);
        }
        Path config = tmp.resolve("run.yml");
        Files.writeString(config, String.join("\n",
                "data:", "  root: " + data, "  split: train", "  workers: 1",
                "maskdistill:", "  backbone: small", "  width: 8", "  clusters: 4", "  epochs: 2", "  batch: 4", "  size: 24", "  lr: 0.05",
                "  lr_step_epoch: 1", "  freeze_early_layers: false", "  seed: 3",
                "val:", "  split: val", "  classes: 5", "  matching: none", ""));
        Console c = Console.run("--backend", "jvm", "train", "maskdistill", "--config", config.toString(), "--labels", labels.toString(), "--crf-rounds", "1",
                "--out", out.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.err().contains(train.get(0) + ".png: label 7 outside 0..4 (255 = ignore); skipped"), c.err());
        assertTrue(c.err().contains(train.get(1) + ".png: label maps must be 8-bit grayscale or palette PNGs"), c.err());
        assertTrue(c.out().contains("training on the label maps in " + labels), c.out());
        assertTrue(c.out().contains((train.size() - 2) + " images with label maps"), c.out());

        for (String f : new String[]{"model.safetensors", "best.safetensors", "round.json", "crf-round-1/model.safetensors", "crf-round-1/best.safetensors",
                "crf-round-1/round.json", "crf-round-1/checkpoint.safetensors"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        for (String id : train) {
            LabelMaps.LabelMap m = LabelMaps.read(out.resolve("crf-round-1/labels/" + id + ".png"));
            assertEquals(32, m.width(), "CRF maps at the image's size");
            for (int v : m.labels()) assertTrue(v >= 0 && v <= 4, "CRF label " + v);
        }
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("round,epoch,loss,val_miou,lr,seconds,images_per_second", csv.get(0));
        assertEquals(5, csv.size(), "header + 2 epochs of each round");
        assertTrue(csv.get(1).startsWith("0,1,") && csv.get(4).startsWith("1,2,"), csv.toString());
        assertFalse(csv.get(3).split(",")[3].isEmpty(), "each epoch has a val mIoU");

        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(4, m.get("history").size());
        JsonNode rounds = m.get("rounds");
        assertEquals(2, rounds.size());
        for (int r = 0; r < 2; r++) {
            JsonNode round = rounds.get(r);
            assertEquals(r, round.get("round").asInt());
            double val = round.get("val_miou").asDouble(-1), best = round.get("best_val_miou").asDouble(-1);
            assertTrue(val >= 0 && val <= 1 && best >= 0 && best <= 1, round.toString());
            int bestEpoch = round.get("best_epoch").asInt();
            assertEquals(best, m.get("history").get(2 * r + bestEpoch - 1).get("val_miou").asDouble(), 1e-12, "the best epoch's online score");
            assertTrue(round.get("model").asText().endsWith("best.safetensors"), "the best network is the round's model");
        }
        assertTrue(rounds.get(0).get("train_labels_miou").asDouble() > 0.9, "the given maps are the ground truth but for the ignored top row");
        assertTrue(rounds.get(1).get("labels").asText().endsWith("crf-round-1/labels"));
        assertEquals(new ObjectMapper().readTree(out.resolve("crf-round-1/round.json").toFile()), rounds.get(1));
        assertTrue(Files.readString(out.resolve("config.yml")).contains("crf_rounds: 1"), "the flags are recorded in config.yml");

        byte[] before = Files.readAllBytes(out.resolve("crf-round-1/model.safetensors"));
        Console again = Console.run("--backend", "jvm", "train", "maskdistill", "--config", config.toString(), "--labels", labels.toString(),
                "--crf-rounds", "1", "--out", out.toString(), "--resume");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("train maskdistill: done before") && again.out().contains("CRF round 1: done before")
                && again.out().contains("0 maps made, " + train.size() + " kept"), again.out());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("crf-round-1/model.safetensors")));
        assertEquals("2", SafeTensors.metadata(out.resolve("crf-round-1/checkpoint.safetensors")).get("epoch"));
    }

    private static void writePalette(Path f, int[] labels) throws Exception {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) (i * 37);
            g[i] = (byte) (i * 91);
            b[i] = (byte) (i * 53);
        }
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g, b));
        img.getRaster().setPixels(0, 0, 32, 32, labels);
        ImageIO.write(img, "png", f.toFile());
    }

    private static void writeRgb(Path f) throws Exception {
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "png", f.toFile());
    }
}
