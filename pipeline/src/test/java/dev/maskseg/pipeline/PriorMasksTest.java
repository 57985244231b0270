package dev.maskseg.pipeline;

import dev.maskseg.pipeline.data.PriorMasks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A prior folder without masks.json: candidates found by name (VOC ids contain underscores), each scoring 1. */
class PriorMasksTest {
    @TempDir
    Path dir;

    @Test
    void candidatesByNameAndSizeChecked() throws Exception {
        write("2007_000032.png", 3, 2);
        write("2007_000033_0.png", 3, 2);
        write("2007_000033_1.png", 3, 2);
        write("2007_000033_3.png", 3, 2); // not consecutive: not a candidate
        PriorMasks pm = PriorMasks.open(dir);
        assertEquals(1, pm.candidates("2007_000032").size());
        assertEquals(1.0, pm.candidates("2007_000032").get(0).score());
        assertEquals(2, pm.candidates("2007_000033").size());
        assertTrue(pm.candidates("2007_000034").isEmpty());
        assertArrayEquals(new byte[]{1, 0, 0, 0, 0, 1}, PriorMasks.read(dir.resolve("2007_000032.png"), 3, 2));
        IOException e = assertThrows(IOException.class, () -> PriorMasks.read(dir.resolve("2007_000032.png"), 2, 3));
        assertTrue(e.getMessage().contains("2007_000032.png: mask of 3x2 for an image of 2x3"), e.getMessage());
        Files.writeString(dir.resolve("masks.json"), "{\"images\": {\"x\": {\"masks\": [{\"file\": \"x.png\"}]}}}");
        e = assertThrows(IOException.class, () -> PriorMasks.open(dir));
        assertTrue(e.getMessage().contains("masks.json: image x has a mask without 'file' and a numeric 'score'"), e.getMessage());
    }

    private void write(String name, int w, int h) throws Exception {
        BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        m.getRaster().setPixels(0, 0, w, h, new int[]{255, 0, 0, 0, 0, 200});
        ImageIO.write(m, "png", dir.resolve(name).toFile());
    }
}
