package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillTrainer;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.testing.BadImages;
import dev.maskseg.zoo.Models;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every batch command over one folder of good and bad images (generated here): each bad file is one line naming it,
 * recorded in the index or run.json and counted, every good file is processed, nothing hangs or prints a stack trace,
 * and {@code --strict} stops at the first bad file instead.
 */
class ReliabilityBatchTest {
    @TempDir
    Path tmp;
    Path images;

    /** The bad files by stem, with what their error line says. */
    static final Map<String, String> BAD = Map.of(
            "quarter", "truncated or corrupt image",
            "halfpng", "truncated or corrupt image",
            "huge", "more than the 268435456",
            "notes", "not a PNG, JPEG, BMP or GIF image",
            "folder", "is a directory",
            "twin", "share the stem 'twin'");
    static final List<String> GOOD = List.of("disc0", "disc1", "cmyk", "flat");

    @BeforeEach
    void corpus() throws Exception {
        images = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < 2; i++) BadImages.write(images.resolve("disc" + i + ".png"), scene(i));
        BadImages.fourChannelJpeg(images.resolve("cmyk.jpg"), new int[]{40, 200, 60, 230}, false);
        BadImages.write(images.resolve("flat.png"), BadImages.flat(96, 72, 0));
        BadImages.truncated(images.resolve("quarter.jpg"), 0.25);
        BadImages.truncated(images.resolve("halfpng.png"), 0.5);
        BadImages.pngClaiming(images.resolve("huge.png"), 1 << 30, 1 << 30);
        BadImages.text(images.resolve("notes.jpg"));
        Files.createDirectories(images.resolve("folder.png"));
        BadImages.write(images.resolve("twin.png"), scene(3));
        BadImages.write(images.resolve("twin.jpg"), scene(4));
    }

    static BufferedImage scene(int i) {
        BufferedImage img = new BufferedImage(96, 72, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(110, 140, 90));
        g.fillRect(0, 0, 96, 72);
        g.setColor(new Color(200, 40 + 30 * i, 60));
        g.fillOval(30, 20, 36, 30);
        g.dispose();
        return img;
    }

    private void eachBadFileIsOneLine(Console c, String command) {
        String lines = Reliably.problemLines(c.err());
        for (var e : BAD.entrySet()) {
            assertTrue(lines.lines().anyMatch(l -> l.startsWith(command + ": ") && l.contains(e.getKey()) && l.contains(e.getValue())),
                    e.getKey() + " is reported (" + e.getValue() + "):\n" + lines + "\nstderr:\n" + c.err());
        }
    }

    private void recorded(JsonNode errors) {
        assertEquals(BAD.size(), errors.size(), errors.toString());
        for (var e : BAD.entrySet()) assertTrue(errors.path(e.getKey()).asText().contains(e.getValue()), e.getKey() + ": " + errors);
    }

    @Test
    void mineMasksGoesOnPastBadFilesAndRecordsThem() throws Exception {
        for (String prior : List.of("rbd", "mbplus")) {
            Path out = tmp.resolve("masks-" + prior);
            Console c = Reliably.run("mine-masks", "--prior", prior, "--images", images.toString(), "--out", out.toString(), "--threads", "2");
            assertEquals(0, c.code(), c.err());
            eachBadFileIsOneLine(c, "mine-masks");
            assertTrue(c.out().contains(BAD.size() + " failed"), c.out());
            JsonNode idx = Reliably.json(out.resolve("masks.json"));
            for (String bad : BAD.keySet()) assertEquals("error", idx.at("/images/" + bad + "/status").asText(), bad + " in masks.json");
            for (String good : GOOD) assertTrue(List.of("ok", "dropped").contains(idx.at("/images/" + good + "/status").asText()), good + ": " + idx);
            assertEquals("ok", idx.at("/images/disc0/status").asText(), prior + " finds the disc");
            assertEquals("dropped", idx.at("/images/flat/status").asText(), prior + ": a flat black image has no salient object");
            recorded(Reliably.json(out.resolve("run.json")).at("/summary/errors"));
            assertFalse(Files.exists(out.resolve("twin.png")), "no output for either twin");
        }
    }

    @Test
    void strictStopsAtTheFirstBadFile() {
        Console c = Reliably.run("mine-masks", "--prior", "mbplus", "--images", images.toString(), "--out", tmp.resolve("strict").toString(),
                "--threads", "1", "--strict");
        Reliably.fails(c, 1, "maskseg mine-masks: ", "(--strict stops at the first bad file)");
    }

    @Test
    void predictGoesOnPastBadFilesAndRecordsThem() throws Exception {
        MaskDistillConfig cfg = MaskDistillConfig.demo();
        Module m = MaskDistillTrainer.create(cfg, 1);
        Path model = tmp.resolve("model.safetensors"), out = tmp.resolve("pred");
        ModelFiles.saveMaskDistill(model, m, cfg);
        Console c = Reliably.run("predict", "--model", model.toString(), "--images", images.toString(), "--out", out.toString());
        assertEquals(0, c.code(), c.err());
        eachBadFileIsOneLine(c, "predict");
        for (String good : GOOD) assertTrue(Files.exists(out.resolve(good + ".png")) && Files.exists(out.resolve("overlay/" + good + ".png")), good);
        recorded(Reliably.json(out.resolve("run.json")).at("/summary/errors"));
        assertEquals(GOOD.size(), Reliably.json(out.resolve("run.json")).at("/summary/labelled").asInt());
        Console strict = Reliably.run("predict", "--model", model.toString(), "--images", images.toString(), "--out", tmp.resolve("p2").toString(), "--strict");
        Reliably.fails(strict, 1, "(--strict stops at the first bad file)");
    }

    @Test
    void featuresGoOnPastBadFilesAndRecordThem() throws Exception {
        Path w = tmp.resolve("vit.safetensors"), out = tmp.resolve("features");
        SafeTensors.write(w, Models.create("vit_small_patch16", 1).module().stateDict(), Map.of());
        Console c = Reliably.run(300, "features", "--weights", w.toString(), "--images", images.toString(), "--out", out.toString());
        assertEquals(0, c.code(), c.err());
        eachBadFileIsOneLine(c, "features");
        for (String good : GOOD) assertTrue(Files.exists(out.resolve(good + ".safetensors")), good);
        recorded(Reliably.json(out.resolve("run.json")).at("/summary/errors"));
    }
}
