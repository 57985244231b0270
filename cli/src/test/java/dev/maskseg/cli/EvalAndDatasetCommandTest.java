package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalAndDatasetCommandTest {
    @TempDir
    Path tmp;

    @Test
    void makeDatasetThenEvalGroundTruthAgainstItself() throws Exception {
        Path ds = tmp.resolve("ds");
        assertEquals(0, Console.run("make-dataset", "--out", ds.toString(), "--images", "10", "--size", "48", "--seed", "3").code());
        assertEquals(8, Files.readAllLines(ds.resolve("ImageSets/Segmentation/train.txt")).size());
        assertEquals(2, Files.readAllLines(ds.resolve("ImageSets/Segmentation/val.txt")).size());
        BufferedImage lab = ImageIO.read(ds.resolve("SegmentationClass/scene_00000.png").toFile());
        assertEquals(48, lab.getWidth());
        int[] px = lab.getRaster().getPixels(0, 0, 48, 48, (int[]) null);
        assertTrue(java.util.Arrays.stream(px).allMatch(v -> v >= 0 && v <= 4));
        assertTrue(java.util.Arrays.stream(px).anyMatch(v -> v > 0), "at least one object");

        Path again = tmp.resolve("again");
        Console.run("make-dataset", "--out", again.toString(), "--images", "10", "--size", "48", "--seed", "3");
        assertEquals(-1L, Files.mismatch(ds.resolve("JPEGImages/scene_00004.jpg"), again.resolve("JPEGImages/scene_00004.jpg")), "seeded");

        Path json = tmp.resolve("m.json");
        Path gt = ds.resolve("SegmentationClass");
        Console c = Console.run("eval", "miou", "--pred", gt.toString(), "--gt", gt.toString(), "--num-classes", "5", "--matching", "none", "--json", json.toString());
        assertEquals(0, c.code(), c.err());
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals(1.0, r.get("pixel_accuracy").asDouble(), 1e-12);
        assertEquals(5, r.get("per_class_iou").size());
        for (String key : List.of("miou", "pixel_accuracy", "per_class_iou", "matching")) assertTrue(r.has(key), key);

        Console count = Console.run("eval", "miou", "--pred", gt.toString(), "--gt", gt.toString(), "--num-classes", "5", "--matching", "majority-count",
                "--json", json.toString());
        assertEquals(0, count.code(), count.err());
        assertEquals(1.0, new ObjectMapper().readTree(json.toFile()).get("miou").asDouble(), 1e-12, "each label votes for itself");
        assertEquals(2, Console.run("eval", "miou", "--pred", gt.toString(), "--gt", gt.toString(), "--num-classes", "5", "--matching", "best", "--json", json.toString()).code());
        Console bad = Console.run("eval", "miou", "--pred", gt.toString(), "--gt", tmp.toString(), "--num-classes", "5", "--json", json.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains(tmp + ": no PNG ground-truth label maps"), bad.err());
    }
}
