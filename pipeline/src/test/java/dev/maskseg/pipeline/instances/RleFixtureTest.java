package dev.maskseg.pipeline.instances;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** RLE codec, merge, IoU and rasterisation against pycocotools 2.0.11 (tools/gen_coco_eval_fixtures.py): exact. */
class RleFixtureTest {
    private static JsonNode fx;

    @BeforeAll
    static void load() throws Exception {
        fx = new ObjectMapper().readTree(RleFixtureTest.class.getResource("/instances/rle.json"));
    }

    @Test
    void thresholdsAreNumpyLinspaceBitForBit() {
        assertArrayEquals(doubles(fx.get("thresholds").get("iou")), EvalParams.IOU_THRESHOLDS);
        assertArrayEquals(doubles(fx.get("thresholds").get("recall")), EvalParams.RECALL_THRESHOLDS);
        assertEquals(5, EvalParams.iouIndex(0.75), "0.75 is found by exact equality, as np.where does");
    }

    @Test
    void encodesMasksToPycocotoolsStringsAndBack() {
        for (JsonNode c : fx.get("encode")) {
            int h = c.get("h").asInt(), w = c.get("w").asInt();
            String bits = c.get("mask").asText();
            boolean[] mask = new boolean[h * w];
            for (int i = 0; i < mask.length; i++) mask[i] = bits.charAt(i) == '1';
            Rle r = Rle.encode(mask, h, w);
            String what = h + "x" + w + " " + bits;
            assertEquals(c.get("string").asText(), r.toCompressedString(), what);
            assertArrayEquals(ints(c.get("counts")), r.counts(), what);
            assertEquals(c.get("area").asLong(), r.area(), what);
            assertArrayEquals(doubles(c.get("bbox")), r.toBbox(), what);
            assertArrayEquals(mask, Rle.fromString(c.get("string").asText(), h, w).decode(), what);
        }
    }

    @Test
    void parsesLargeMasksWithMultiCharacterCounts() {
        for (JsonNode c : fx.get("strings")) {
            int h = c.get("h").asInt(), w = c.get("w").asInt();
            Rle r = Rle.fromString(c.get("string").asText(), h, w);
            assertArrayEquals(ints(c.get("counts")), r.counts());
            assertEquals(c.get("string").asText(), r.toCompressedString());
            assertEquals(c.get("area").asLong(), r.area());
            assertArrayEquals(doubles(c.get("bbox")), r.toBbox());
            assertEquals(r, Rle.encode(r.decode(), h, w));
        }
    }

    @Test
    void mergesAsRleMerge() {
        for (JsonNode c : fx.get("merge")) {
            int h = c.get("h").asInt(), w = c.get("w").asInt();
            List<Rle> in = new ArrayList<>();
            for (JsonNode s : c.get("inputs")) in.add(Rle.fromString(s.asText(), h, w));
            assertEquals(c.get("union").asText(), RleOps.merge(in, false).toCompressedString());
            assertEquals(c.get("intersection").asText(), RleOps.merge(in, true).toCompressedString());
        }
    }

    @Test
    void maskIouFollowsTheCrowdRuleAndMarksSizeMismatches() {
        int mismatches = 0;
        for (JsonNode c : fx.get("iou")) {
            List<Rle> dt = rles(c.get("dt")), gt = rles(c.get("gt"));
            boolean[] crowd = flags(c.get("crowd"));
            double[][] got = RleOps.iou(dt, gt, crowd);
            for (int d = 0; d < dt.size(); d++) {
                assertArrayEquals(doubles(c.get("iou").get(d)), got[d], "dt " + d);
                for (double v : got[d]) if (v == -1) mismatches++;
            }
        }
        assertEquals(true, mismatches > 0, "the fixture has dt/gt size mismatches");
    }

    @Test
    void boxIouFollowsTheCrowdRule() {
        for (JsonNode c : fx.get("box_iou")) {
            double[][] dt = matrix(c.get("dt")), gt = matrix(c.get("gt"));
            double[][] got = RleOps.boxIou(dt, gt, flags(c.get("crowd")));
            for (int d = 0; d < dt.length; d++) assertArrayEquals(doubles(c.get("iou").get(d)), got[d]);
        }
    }

    @Test
    void rasterisesPolygonsIncludingDegenerateOnesExactly() {
        for (JsonNode c : fx.get("polygons")) {
            Rle r = Polygons.fromPolygon(doubles(c.get("poly")), c.get("h").asInt(), c.get("w").asInt());
            assertEquals(c.get("string").asText(), r.toCompressedString(), c.get("kind").asText() + " " + c.get("poly"));
        }
    }

    @Test
    void rasterisesBoxesExactly() {
        for (JsonNode c : fx.get("boxes")) {
            Rle r = Polygons.fromBox(doubles(c.get("box")), c.get("h").asInt(), c.get("w").asInt());
            assertEquals(c.get("string").asText(), r.toCompressedString(), c.get("box").toString());
        }
    }

    @Test
    void readsUncompressedCountsAndUnusualRuns() {
        for (JsonNode c : fx.get("uncompressed")) {
            Rle r = Rle.fromCounts(longs(c.get("counts")), c.get("h").asInt(), c.get("w").asInt());
            assertEquals(c.get("string").asText(), r.toCompressedString());
        }
        for (JsonNode c : fx.get("to_bbox")) {
            Rle r = Rle.fromCounts(longs(c.get("counts")), c.get("h").asInt(), c.get("w").asInt());
            assertArrayEquals(doubles(c.get("bbox")), r.toBbox(), c.get("counts").toString());
            assertEquals(c.get("area").asLong(), r.area());
            assertEquals(c.get("string").asText(), r.toCompressedString());
            assertEquals(r, Rle.fromString(r.toCompressedString(), r.height(), r.width()));
        }
    }

    @Test
    void rejectsRlesThatDoNotCoverTheirSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rle.fromCounts(new long[]{3, 4}, 3, 3));
        assertEquals("RLE counts sum to 7 pixels but its size 3x3 has 9", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rle.fromString("3", 3, 3), "a count cut off after its continuation bit");
        assertThrows(IllegalArgumentException.class, () -> Rle.fromString("9~", 3, 3), "a character outside '0'..'o'");
        assertThrows(IllegalArgumentException.class, () -> Rle.fromCounts(new long[]{-1, 10}, 3, 3));
    }

    static List<Rle> rles(JsonNode list) {
        List<Rle> out = new ArrayList<>();
        for (JsonNode r : list) out.add(Rle.fromString(r.get("counts").asText(), r.get("size").get(0).asInt(), r.get("size").get(1).asInt()));
        return out;
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asDouble();
        return out;
    }

    static double[][] matrix(JsonNode a) {
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) out[i] = doubles(a.get(i));
        return out;
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asLong();
        return out;
    }

    private static boolean[] flags(JsonNode a) {
        boolean[] out = new boolean[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt() != 0;
        return out;
    }
}
