package dev.maskseg.pipeline.instances;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.pipeline.data.LabelMaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VOC SegmentationObject + SegmentationClass to COCO instances, against the rule computed with numpy/pycocotools. */
class VocInstancesTest {
    @Test
    void buildsTheAnnotationsOfTheFixture(@TempDir Path voc) throws Exception {
        JsonNode fx = new ObjectMapper().readTree(VocInstancesTest.class.getResource("/instances/voc.json"));
        Files.createDirectories(voc.resolve("SegmentationObject"));
        Files.createDirectories(voc.resolve("SegmentationClass"));
        int expectedAnns = 0;
        for (JsonNode im : fx) {
            int h = im.get("h").asInt(), w = im.get("w").asInt();
            String stem = im.get("stem").asText();
            writePalettePng(voc.resolve("SegmentationObject/" + stem + ".png"), ints(im.get("object")), w, h);
            if (stem.startsWith("2007")) writePalettePng(voc.resolve("SegmentationClass/" + stem + ".png"), ints(im.get("class")), w, h);
            else LabelMaps.write(voc.resolve("SegmentationClass/" + stem + ".png"), w, h, ints(im.get("class"))); // grayscale works too
            expectedAnns += im.get("annotations").size();
        }
        VocInstances.Report report = VocInstances.build(voc, null, VocInstances.VOC_CLASSES, false);
        CocoDataset d = report.dataset();
        assertEquals(fx.size(), d.images().size());
        assertEquals(expectedAnns, d.annotations().size());
        assertEquals(1, report.problems().size(), "the unlabelled object is reported: " + report.problems());
        assertTrue(report.problems().get(0).startsWith("tie_and_unlabelled: object 9 has no pixel of a class"), report.problems().get(0));
        assertEquals(20, d.categories().size());
        assertEquals("aeroplane", d.categories().get(0).name());
        int k = 0;
        List<String> stems = new ArrayList<>();
        for (JsonNode im : fx) stems.add(im.get("stem").asText());
        java.util.Collections.sort(stems);
        for (String stem : stems) {
            JsonNode im = null;
            for (JsonNode x : fx) if (x.get("stem").asText().equals(stem)) im = x;
            CocoDataset.Image img = d.images().get(stems.indexOf(stem));
            assertEquals(ImageId.of(stem), img.id());
            assertEquals(stem + ".jpg", img.fileName());
            assertEquals(im.get("w").asInt(), img.width());
            for (JsonNode e : im.get("annotations")) {
                CocoDataset.Annotation a = d.annotations().get(k++);
                assertEquals(k, a.id(), "ids from 1");
                assertEquals(img.id(), a.imageId());
                assertEquals(e.get("category_id").asLong(), a.categoryId(), stem + " object " + e.get("object"));
                assertEquals(e.get("counts").asText(), ((Segmentation.CompressedRle) a.segmentation()).counts());
                assertEquals(e.get("area").asDouble(), a.area());
                assertArrayEquals(RleFixtureTest.doubles(e.get("bbox")), a.bbox());
                assertEquals(0, a.iscrowd());
            }
        }
        // the tie between classes 12 and 7 goes to the lower class
        CocoDataset.Annotation tie = d.annotations().stream().filter(a -> a.imageId().equals(ImageId.of("tie_and_unlabelled"))).findFirst().orElseThrow();
        assertEquals(7, tie.categoryId());
        // written and read back unchanged
        Path out = voc.resolve("gt.json");
        CocoJson.writeDataset(out, d);
        CocoDataset back = CocoJson.readDataset(out);
        assertEquals(d.images(), back.images());
        assertEquals(d.categories(), back.categories());
        for (int i = 0; i < d.annotations().size(); i++) {
            CocoDataset.Annotation a = d.annotations().get(i), b = back.annotations().get(i);
            assertEquals(a.segmentation(), b.segmentation());
            assertArrayEquals(a.bbox(), b.bbox());
            assertEquals(a.area(), b.area());
        }
    }

    @Test
    void aBadImageIsReportedAndTheBatchGoesOn(@TempDir Path voc) throws Exception {
        Files.createDirectories(voc.resolve("SegmentationObject"));
        Files.createDirectories(voc.resolve("SegmentationClass"));
        int[] obj = {0, 1, 1, 0, 2, 2};
        writePalettePng(voc.resolve("SegmentationObject/a.png"), obj, 3, 2);
        writePalettePng(voc.resolve("SegmentationClass/a.png"), new int[]{0, 5, 5, 0, 9, 9}, 3, 2);
        writePalettePng(voc.resolve("SegmentationObject/b.png"), obj, 3, 2);
        writePalettePng(voc.resolve("SegmentationClass/b.png"), new int[]{0, 5, 5, 0}, 2, 2);
        writePalettePng(voc.resolve("SegmentationObject/c.png"), obj, 3, 2); // no class map
        VocInstances.Report r = VocInstances.build(voc, null, VocInstances.VOC_CLASSES, false);
        assertEquals(1, r.dataset().images().size());
        assertEquals(2, r.dataset().annotations().size());
        assertEquals(2, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).contains("b: SegmentationObject is 3x2 but SegmentationClass is 2x2"), r.problems().get(0));
        assertTrue(r.problems().get(1).contains("c.png"), r.problems().get(1));
        assertThrows(IOException.class, () -> VocInstances.build(voc, null, VocInstances.VOC_CLASSES, true));
    }

    static void writePalettePng(Path file, int[] labels, int w, int h) throws IOException {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) (i * 37);
            g[i] = (byte) (i * 91);
            b[i] = (byte) (255 - i);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g, b));
        img.getRaster().setPixels(0, 0, w, h, labels);
        ImageIO.write(img, "png", file.toFile());
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }
}
