package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.pipeline.instances.CocoEval;
import dev.maskseg.pipeline.instances.CocoJson;
import dev.maskseg.pipeline.instances.InstanceStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** make-instances then eval instances, through Main. */
class InstancesCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void makeInstancesFromVocThenEvaluateTheGroundTruthAgainstItself() throws Exception {
        Path voc = tmp.resolve("voc");
        Files.createDirectories(voc.resolve("SegmentationObject"));
        Files.createDirectories(voc.resolve("SegmentationClass"));
        int w = 12, h = 10;
        for (String stem : new String[]{"s1", "s2"}) {
            int[] obj = new int[w * h], cls = new int[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (x < 5 && y < 6) { obj[y * w + x] = 1; cls[y * w + x] = 3; }
                    if (x > 6 && y > 2) { obj[y * w + x] = 2; cls[y * w + x] = stem.equals("s1") ? 15 : 8; }
                }
            }
            write(voc.resolve("SegmentationObject/" + stem + ".png"), obj, w, h);
            write(voc.resolve("SegmentationClass/" + stem + ".png"), cls, w, h);
        }
        Path gt = tmp.resolve("gt.json");
        Console r = Console.run("make-instances", "--voc", voc.toString(), "--out", gt.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 images, 4 annotations, 20 categories"), r.out());
        assertEquals(2, Console.run("make-instances", "--voc", voc.toString(), "--out", gt.toString()).code(), "no overwrite without --overwrite");

        // the ground truth as predictions: every AP is 1 where defined
        JsonNode anns = new ObjectMapper().readTree(gt.toFile()).get("annotations");
        var preds = new ObjectMapper().createArrayNode();
        for (JsonNode a : anns) {
            var p = preds.addObject();
            p.set("image_id", a.get("image_id"));
            p.set("category_id", a.get("category_id"));
            p.put("score", 0.5);
            p.set("segmentation", a.get("segmentation"));
            p.set("bbox", a.get("bbox"));
        }
        Path pred = tmp.resolve("pred.json"), out = tmp.resolve("ap.json");
        new ObjectMapper().writeValue(pred.toFile(), preds);
        Console e = Console.run("eval", "instances", "--gt", gt.toString(), "--pred", pred.toString(), "--json", out.toString(), "--class-agnostic");
        assertEquals(0, e.code(), e.err());
        JsonNode stats = new ObjectMapper().readTree(out.toFile());
        assertEquals(12, stats.size());
        assertEquals(1.0, stats.get("AP").asDouble(), 1e-12);
        assertEquals(1.0, stats.get("AP50").asDouble(), 1e-12);
        assertEquals(-1.0, stats.get("APl").asDouble(), "no large objects");
        InstanceStats lib = CocoEval.evaluate(CocoJson.readDataset(gt), CocoJson.readResults(pred), new CocoEval.Options(CocoEval.IouType.BBOX, false, true)).stats();
        assertEquals(0, Console.run("eval", "instances", "--gt", gt.toString(), "--pred", pred.toString(), "--json", out.toString(), "--iou-type", "bbox", "--single-object").code());
        stats = new ObjectMapper().readTree(out.toFile());
        for (int i = 0; i < 12; i++) assertEquals(lib.toArray()[i], stats.get(InstanceStats.NAMES[i]).asDouble(), InstanceStats.NAMES[i]);
        assertEquals(2, Console.run("eval", "instances", "--gt", gt.toString(), "--pred", pred.toString(), "--json", out.toString(), "--iou-type", "keypoints").code());
    }

    private static void write(Path file, int[] labels, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setPixels(0, 0, w, h, labels);
        ImageIO.write(img, "png", file.toFile());
    }
}
