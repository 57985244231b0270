package dev.maskseg.pipeline.instances;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading and writing COCO files, and one clear error per malformed input. */
class CocoJsonTest {
    private static final String GT = """
            {"info": {"x": [1, {"deep": 2}]},
             "images": [{"id": 7, "width": 4, "height": 3, "file_name": "a/b/x.jpg"}, {"id": 2, "width": 5, "height": 5}],
             "annotations": [
               {"id": 1, "image_id": 7, "category_id": 3, "segmentation": [[0, 0, 3, 0, 3, 2]], "area": 4.5, "bbox": [0, 0, 3, 2], "iscrowd": 0},
               {"id": 2, "image_id": 2, "category_id": 3, "segmentation": {"size": [5, 5], "counts": [6, 3, 16]}, "area": 3, "bbox": [1, 1, 1, 3], "iscrowd": true},
               {"id": 3, "image_id": 2, "category_id": 4, "segmentation": {"size": [5, 5], "counts": "61O0O0M`0"}, "area": 3, "bbox": [1, 1, 1, 3], "iscrowd": 0}],
             "categories": [{"id": 4, "name": "b"}, {"id": 3, "name": "a", "supercategory": "s"}]}
            """;

    @Test
    void readsEverySegmentationKindAndWritesItBack(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("gt.json"), GT);
        CocoDataset d = CocoJson.readDataset(f);
        assertEquals(2, d.images().size());
        assertEquals(4, d.images().get(0).width());
        assertTrue(d.annotations().get(0).segmentation() instanceof Segmentation.PolygonList);
        assertTrue(d.annotations().get(1).segmentation() instanceof Segmentation.UncompressedRle);
        assertTrue(d.annotations().get(2).segmentation() instanceof Segmentation.CompressedRle);
        assertEquals(1, d.annotations().get(1).iscrowd(), "boolean iscrowd");
        Path out = tmp.resolve("out.json");
        CocoJson.writeDataset(out, d);
        CocoDataset back = CocoJson.readDataset(out);
        assertEquals(d.images(), back.images());
        for (int i = 0; i < 3; i++) assertEquals(d.annotations().get(i).segmentation(), back.annotations().get(i).segmentation(), "segmentation " + i);
        assertEquals(4.5, back.annotations().get(0).area());
    }

    @Test
    void resultsRoundTrip(@TempDir Path tmp) throws Exception {
        List<CocoResult> rs = List.of(new CocoResult(ImageId.of("2007_000032"), 0, 0.875, Segmentation.of(Rle.fromCounts(new long[]{2, 3, 4}, 3, 3)), new double[]{0, 0, 2, 3}),
                new CocoResult(ImageId.of("2007_000039"), 1, 0.5, null, new double[]{1.5, 2, 3, 4}));
        Path f = tmp.resolve("res.json");
        CocoJson.writeResults(f, rs);
        List<CocoResult> back = CocoJson.readResults(f);
        assertEquals(2, back.size());
        assertEquals(rs.get(0).segmentation(), back.get(0).segmentation());
        assertEquals(0.875, back.get(0).score());
        assertNull(back.get(1).segmentation());
        assertArrayEquals(rs.get(1).bbox(), back.get(1).bbox());
    }

    @Test
    void malformedFilesNameTheFileAndTheElement(@TempDir Path tmp) throws Exception {
        assertMessage(tmp, "{\"images\": [{\"id\": 1}], \"annotations\": [{\"id\": 1, \"image_id\": 1}]}", "annotations[0]: 'category_id' is missing");
        assertMessage(tmp, "{\"images\": [{\"id\": 1}, {\"id\": \"a\"}]}", "image ids mix numbers and strings");
        assertMessage(tmp, "{\"images\": [{\"id\": 1}, {\"id\": 1}]}", "image id 1 appears twice");
        assertMessage(tmp, "{\"images\": [{\"id\": 1.5}]}", "images[0]: 'id' must be an integer");
        assertMessage(tmp, "{\"annotations\": []}", "needs an 'images' list");
        assertMessage(tmp, "{\"images\": [{\"id\": 1}], \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"segmentation\": {\"counts\": \"x\"}}]}",
                "RLE 'size' must be [height, width]");
        assertMessage(tmp, "{\"images\": [", "not valid JSON");
        Path res = Files.writeString(tmp.resolve("res.json"), "[{\"image_id\": 1, \"category_id\": 1}]");
        IOException e = assertThrows(IOException.class, () -> CocoJson.readResults(res));
        assertEquals(res + ": result [0]: 'score' must be a number", e.getMessage());
        Path obj = Files.writeString(tmp.resolve("obj.json"), "{}");
        assertThrows(IOException.class, () -> CocoJson.readResults(obj));
    }

    private static void assertMessage(Path tmp, String json, String part) throws IOException {
        Path f = Files.writeString(tmp.resolve("bad.json"), json);
        IOException e = assertThrows(IOException.class, () -> CocoJson.readDataset(f), json);
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
