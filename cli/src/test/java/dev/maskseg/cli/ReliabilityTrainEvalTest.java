package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.testing.BadImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dataset loaders of train and eval skip a bad image with one line, record and count it; train refuses a finished
 * run folder; eval miou does not score a partial prediction folder as whole.
 */
class ReliabilityTrainEvalTest {
    @TempDir
    Path tmp;
    Path data, masks, config;
    List<String> train;
    String broken;

    @BeforeEach
    void data() throws Exception {
        data = tmp.resolve("data");
        masks = Files.createDirectories(tmp.resolve("masks"));
        SyntheticScenes.write(data, 30, 32, 4);
        train = Files.readAllLines(data.resolve("ImageSets/Segmentation/train.txt"));
        for (String id : train) {
            BufferedImage lab = ImageIO.read(data.resolve("SegmentationClass/" + id + ".png").toFile());
            int[] px = lab.getRaster().getPixels(0, 0, 32, 32, (int[]) null);
            for (int i = 0; i < px.length; i++) px[i] = px[i] != 0 ? 255 : 0;
            BufferedImage m = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
            m.getRaster().setPixels(0, 0, 32, 32, px);
            ImageIO.write(m, "png", masks.resolve(id + ".png").toFile());
        }
        broken = train.get(3);
        BadImages.truncated(data.resolve("JPEGImages/" + broken + ".jpg"), 0.25);
        config = tmp.resolve("run.yml");
        Files.writeString(config, String.join("\n", "data:", "  root: " + data, "  split: train", "  masks: " + masks, "  workers: 1",
                "maskcontrast:", "  backbone: small", "  width: 8", "  ndim: 8", "  epochs: 1", "  batch: 4", "  queue: 8", "  crop: 24",
                "  lr: 0.05", "  key_momentum: 0.9", "  freeze_early_layers: false", "  seed: 7", ""));
    }

    @Test
    void trainSkipsABadImageAndRefusesAFinishedRun() throws Exception {
        Path out = tmp.resolve("run");
        String[] args = {"--backend", "jvm", "train", "maskcontrast", "--config", config.toString(), "--out", out.toString()};
        Console c = Reliably.run(300, args);
        assertEquals(0, c.code(), c.err());
        assertTrue(Reliably.problemLines(c.err()).contains("train: " + data.resolve("JPEGImages/" + broken + ".jpg") + ": truncated or corrupt image"), c.err());
        JsonNode summary = Reliably.json(out.resolve("run.json")).get("summary");
        assertEquals(1, summary.get("skipped").asInt(), summary.toString());
        assertEquals(train.size() - 1, summary.get("images").asInt());

        byte[] model = Files.readAllBytes(out.resolve("model.safetensors")), yml = Files.readAllBytes(out.resolve("config.yml"));
        Reliably.fails(Reliably.run(300, ReliabilityOutputsTest.concat(args, "--set", "maskcontrast.seed=8")), 1,
                "maskseg train maskcontrast: " + out + " holds a finished train maskcontrast run; pass --resume to continue it or --overwrite to replace it");
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.safetensors")), "the finished model is kept");
        assertArrayEquals(yml, Files.readAllBytes(out.resolve("config.yml")), "and its config");
        Console over = Reliably.run(300, ReliabilityOutputsTest.concat(args, "--set", "maskcontrast.seed=8", "--overwrite"));
        assertEquals(0, over.code(), over.err());
        assertTrue(Files.readString(out.resolve("config.yml")).contains("seed: 8"));

        Console strict = Reliably.run(300, "--backend", "jvm", "train", "maskcontrast", "--config", config.toString(), "--out", tmp.resolve("s").toString(), "--strict");
        Reliably.fails(strict, 1, broken + ".jpg: truncated or corrupt image", "(--strict)");
        Reliably.fails(Reliably.run(300, "train", "maskcontrast", "--config", config.toString(), "--set", "maskcontrast.lr=-1", "--out",
                tmp.resolve("lr").toString()), 1, "lr must be > 0, got -1.0");
    }

    @Test
    void evalProtocolsRecordSkippedImages() throws Exception {
        MaskContrastConfig cfg = MaskContrastConfig.demo();
        Path model = tmp.resolve("mc.safetensors");
        ModelFiles.saveMaskContrast(model, MaskContrastTrainer.create(cfg, 2), cfg);
        Path json = tmp.resolve("km.json");
        Console c = Reliably.run(300, "eval", "kmeans", "--model", model.toString(), "--data", data.toString(), "--split", "train", "--num-classes", "5",
                "--seeds", "1", "--json", json.toString());
        assertEquals(0, c.code(), c.err());
        JsonNode r = Reliably.json(json);
        assertEquals(1, r.get("skipped").asInt(), r.toString());
        assertTrue(r.get("skipped_images").get(0).asText().contains(broken + ".jpg"), r.toString());
        assertEquals(train.size() - 1, r.get("images").asInt());
    }

    @Test
    void miouCountsMissingExtraAndFailedPredictions() throws Exception {
        Path gt = data.resolve("SegmentationClass"), pred = Files.createDirectories(tmp.resolve("pred")), json = tmp.resolve("m.json");
        List<String> all;
        try (var s = Files.list(gt)) {
            all = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (int i = 0; i < all.size(); i++) if (i % 4 != 0) Files.copy(gt.resolve(all.get(i)), pred.resolve(all.get(i))); // a quarter missing
        Files.copy(gt.resolve(all.get(1)), pred.resolve("stray.png"));
        Files.write(pred.resolve(all.get(2)), new byte[]{1, 2, 3});
        int missing = (all.size() + 3) / 4;
        Console c = Reliably.run("eval", "miou", "--pred", pred.toString(), "--gt", gt.toString(), "--num-classes", "5", "--json", json.toString());
        assertTrue(Reliably.problemLines(c.err()).startsWith("eval miou: " + pred.resolve(all.get(2)) + ": not a PNG, JPEG, BMP or GIF label map; not scored"),
                c.err());
        Reliably.failsAfterProblems(c, 1, "maskseg eval miou: " + (missing + 1) + " of " + all.size() + " ground-truth maps", missing + " missing, 1 failed",
                "pass --allow-missing");
        assertTrue(!Files.exists(json), "no scores written for a partial folder");

        Console ok = Reliably.run("eval", "miou", "--pred", pred.toString(), "--gt", gt.toString(), "--num-classes", "5", "--json", json.toString(), "--allow-missing");
        assertEquals(0, ok.code(), ok.err());
        JsonNode r = Reliably.json(json);
        assertEquals(all.size() - missing - 1, r.get("matched").asInt(), r.toString());
        assertEquals(missing, r.get("missing").asInt());
        assertEquals(1, r.get("extra").asInt());
        assertEquals(1, r.get("failed").asInt());
        assertEquals(List.of("stray"), List.of(r.get("extra_images").get(0).asText()));
        assertEquals(1.0, r.get("miou").asDouble(), 1e-12, "the matched ones are perfect");

        Path list = tmp.resolve("list.txt"); // --split FILE: only the listed ground truths are expected (e.g. a val split's predictions)
        Files.write(list, List.of(all.get(1).replace(".png", ""), all.get(3).replace(".png", "")));
        Console listed = Reliably.run("eval", "miou", "--pred", pred.toString(), "--gt", gt.toString(), "--split", list.toString(), "--num-classes", "5",
                "--json", json.toString());
        assertEquals(0, listed.code(), listed.err());
        assertEquals(2, Reliably.json(json).get("matched").asInt());
        Files.write(list, List.of("no_such_image"));
        Reliably.fails(Reliably.run("eval", "miou", "--pred", pred.toString(), "--gt", gt.toString(), "--split", list.toString(), "--num-classes", "5",
                "--json", json.toString()), 1, list + ": lists no_such_image, which has no ground-truth map in " + gt);
    }
}
