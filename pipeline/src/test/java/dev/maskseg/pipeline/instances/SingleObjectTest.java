package dev.maskseg.pipeline.instances;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The selection rules of MaskDistill's --eval_most_confident, and loadRes' rules for results files. */
class SingleObjectTest {
    private static CocoDataset.Annotation gt(long id, String image, double... box) {
        return new CocoDataset.Annotation(id, ImageId.of(image), 1, null, box, box[2] * box[3], 0);
    }

    private static CocoResult res(String image, double score, double... box) {
        return new CocoResult(ImageId.of(image), 1, score, null, box);
    }

    private static CocoDataset data(List<CocoDataset.Annotation> anns) {
        return new CocoDataset(List.of(new CocoDataset.Image(ImageId.of("a"), 20000, 20000, null), new CocoDataset.Image(ImageId.of("b"), 50, 50, null),
                new CocoDataset.Image(ImageId.of("c"), 50, 50, null)), anns, List.of(new CocoDataset.Category(1, "x", "")));
    }

    @Test
    void keepsTheFirstHighestScoredPredictionPerImage() {
        List<CocoResult> rs = List.of(res("b", 0.5, 0, 0, 5, 5), res("a", 0.9, 0, 0, 5, 5), res("b", 0.7, 1, 1, 5, 5), res("b", 0.7, 2, 2, 5, 5));
        SingleObject.Selection s = SingleObject.select(data(List.of(gt(1, "a", 0, 0, 4, 4), gt(2, "b", 0, 0, 4, 4))), rs);
        assertEquals(List.of(2L, 1L), s.detections().stream().map(Detections.Detection::id).toList(), "ids are file indices from 0, images in first-seen order");
        assertEquals(25.0, s.detections().get(0).area(), "area int(w*h) of the box");
    }

    @Test
    void picksTheLargestFloat32BoxIouFirstMaximumWinning() {
        // in double the second box has the larger IoU (0.9999500050 > 0.9999500025); in float32 the first is larger
        List<CocoDataset.Annotation> anns = List.of(gt(1, "a", 0, 0, 10000, 10000), gt(2, "a", 0, 0, 10000, 10001));
        assertEquals(0, SingleObject.largestBoxIou(new double[]{0, 0, 10000, 10000.5}, anns));
        // ties: the first; ground-truth corners rounded half to even (0.5 -> 0: IoU 1, where half-up would give 0.25)
        assertEquals(0, SingleObject.largestBoxIou(new double[]{0, 0, 4, 4}, List.of(gt(1, "a", 0, 0, 4, 4), gt(2, "a", 0, 0, 4, 4))));
        assertEquals(1, SingleObject.largestBoxIou(new double[]{0, 0, 2, 2}, List.of(gt(1, "a", 0, 0, 3, 2), gt(2, "a", 0.5, 0.5, 1.5, 1.5))));
        assertEquals(0, SingleObject.largestBoxIou(new double[]{40, 40, 1, 1}, List.of(gt(1, "a", 0, 0, 1, 1), gt(2, "a", 5, 5, 1, 1))), "no overlap at all: the first");
    }

    @Test
    void imagesWithoutGroundTruthKeepTheirPredictionAsAFalsePositive() {
        CocoDataset d = data(List.of(gt(1, "a", 0, 0, 4, 4)));
        SingleObject.Selection s = SingleObject.select(d, List.of(res("a", 0.9, 0, 0, 4, 4), res("c", 0.9, 0, 0, 4, 4)));
        assertEquals(2, s.detections().size());
        assertEquals(1, s.groundTruth().annotations().size());
        InstanceStats st = CocoEval.evaluate(s.groundTruth(), s.detections(), CocoEval.IouType.BBOX).stats();
        assertEquals(1.0, st.ar100(), 1e-12);
        assertTrue(st.ap50() < 1.0, "the second prediction is a false positive: " + st);
        assertThrows(IllegalArgumentException.class, () -> SingleObject.select(d, List.of(res("zzz", 0.9, 0, 0, 4, 4))));
    }

    @Test
    void loadResRules() {
        CocoDataset d = data(List.of(gt(1, "b", 0, 0, 4, 4)));
        Rle mask = Polygons.fromBox(new double[]{0, 0, 3, 2}, 50, 50);
        // the first result has a box: every area is w*h, even with a mask
        List<Detections.Detection> boxBranch = Detections.fromResults(d, List.of(new CocoResult(ImageId.of("b"), 1, 0.5, Segmentation.of(mask), new double[]{0, 0, 10, 10}),
                new CocoResult(ImageId.of("b"), 1, 0.4, null, new double[]{1, 1, 2, 3})));
        assertEquals(List.of(1L, 2L), boxBranch.stream().map(Detections.Detection::id).toList());
        assertEquals(100.0, boxBranch.get(0).area());
        assertEquals(Polygons.fromBox(new double[]{1, 1, 2, 3}, 50, 50), boxBranch.get(1).segmentation().toRle(50, 50), "a missing mask is the box polygon");
        // the first result has no box: areas are pixel counts, boxes from the mask
        List<Detections.Detection> maskBranch = Detections.fromResults(d, List.of(new CocoResult(ImageId.of("b"), 1, 0.5, Segmentation.of(mask), null)));
        assertEquals(6.0, maskBranch.get(0).area());
        assertEquals(List.of(0.0, 0.0, 3.0, 2.0), java.util.Arrays.stream(maskBranch.get(0).bbox()).boxed().toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Detections.fromResults(d, List.of(res("q", 1, 0, 0, 1, 1))));
        assertEquals("result [0] is on image \"q\", which the ground truth does not have", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Segmentation.PolygonList(List.of(new double[]{1, 1, 5, 5})).toRle(9, 9),
                "a first part of 4 values fails in pycocotools too");
    }
}
