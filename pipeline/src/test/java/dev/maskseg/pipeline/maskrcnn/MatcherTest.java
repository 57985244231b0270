package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** detectron2's Matcher and subsample_labels: the fixtures of the reference, crafted ties, and the sampling's counts and seeding. */
class MatcherTest {
    @Test
    void matchesEqualTheReferenceOnTheOpFixtures() {
        Map<String, Tensor> f = Fixtures.ops();
        for (String c : new String[]{"match_rpn", "match_roi", "match_no_gt"}) {
            Tensor iou = f.get(c + "/iou");
            Matcher m = c.equals("match_roi") ? Matcher.roiHeads() : Matcher.rpn();
            Matcher.Matches r = m.match(iou.toFloatArray(), iou.size(0), iou.size(1));
            assertArrayEquals(Fixtures.ints(f.get(c + "/matches")), r.matched(), c);
            assertArrayEquals(Fixtures.ints(f.get(c + "/match_labels")), r.labels(), c);
        }
    }

    @Test
    void matchesEqualTheReferenceOnTheLossFixture() {
        Map<String, Tensor> f = Fixtures.maskrcnn();
        // the RPN's matches of 720 anchors against 3 boxes, recomputed from the boxes with the engine-independent IoU below
        float[] anchors = f.get("losses_96x128.anchors").toFloatArray(), gt = f.get("losses_96x128.gt_boxes").toFloatArray();
        Matcher.Matches r = Matcher.rpn().match(iou(gt, anchors), 3, 720);
        assertArrayEquals(Fixtures.ints(f.get("losses_96x128.rpn_matched")), r.matched());
        assertArrayEquals(Fixtures.ints(f.get("losses_96x128.rpn_match_labels")), r.labels());
        float[] props = f.get("losses_96x128.roi_proposals_with_gt").toFloatArray();
        Matcher.Matches roi = Matcher.roiHeads().match(iou(gt, props), 3, props.length / 4);
        assertArrayEquals(Fixtures.ints(f.get("losses_96x128.roi_matched")), roi.matched());
    }

    /** torchvision's pairwise IoU in float32 (inter / (area1 + area2 - inter), 0 where there is no intersection). */
    static float[] iou(float[] a, float[] b) {
        int n = a.length / 4, m = b.length / 4;
        float[] out = new float[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                float w = Math.max(0, Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]));
                float h = Math.max(0, Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]));
                float inter = w * h;
                float areaA = (a[4 * i + 2] - a[4 * i]) * (a[4 * i + 3] - a[4 * i + 1]), areaB = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
                out[i * m + j] = inter > 0 ? inter / (areaA + areaB - inter) : 0;
            }
        }
        return out;
    }

    @Test
    void lowQualityMatchesLabelEveryTieOfAGroundTruthsBestEvenAtZeroAndKeepTheArgmaxMatch() {
        // 2 gts x 4 predictions; gt 1 overlaps nothing (best 0: every prediction ties and becomes foreground)
        float[] iou = {0.2f, 0.5f, 0.5f, 0.1f,
                       0.0f, 0.0f, 0.0f, 0.0f};
        Matcher.Matches r = Matcher.rpn().match(iou, 2, 4);
        assertArrayEquals(new int[]{1, 1, 1, 1}, r.labels());
        assertArrayEquals(new int[]{0, 0, 0, 0}, r.matched());
        Matcher.Matches plain = new Matcher(new double[]{0.3, 0.7}, new int[]{0, -1, 1}, false).match(iou, 2, 4);
        assertArrayEquals(new int[]{0, -1, -1, 0}, plain.labels());
        // the threshold is inclusive and compared in float32: 0.7f counts as >= 0.7
        Matcher.Matches edge = new Matcher(new double[]{0.3, 0.7}, new int[]{0, -1, 1}, false).match(new float[]{0.7f, 0.29999998f, 0.3f}, 1, 3);
        assertArrayEquals(new int[]{1, 0, -1}, edge.labels());
        // equal IoU with two gts: the lower gt index
        assertArrayEquals(new int[]{0}, Matcher.roiHeads().match(new float[]{0.6f, 0.6f}, 2, 1).matched());
        assertThrows(IllegalArgumentException.class, () -> new Matcher(new double[]{0.5}, new int[]{0}, false));
    }

    @Test
    void samplingTakesAtMostTheFractionOfPositivesFillsWithNegativesAndIsSeeded() {
        int[] labels = new int[1000];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 5 == 0 ? 1 : i % 10 == 1 ? -1 : 0; // 200 pos, 100 ignored, 700 neg
        LabelSampling.Sample s = LabelSampling.sample(labels, 256, 0.5, 0, new SplittableRandom(5));
        assertEquals(128, s.positives().length);
        assertEquals(128, s.negatives().length);
        for (int p : s.positives()) assertEquals(1, labels[p]);
        for (int n : s.negatives()) assertEquals(0, labels[n]);
        assertEquals(128, new HashSet<>(Arrays.stream(s.positives()).boxed().toList()).size(), "no repeats");

        LabelSampling.Sample again = LabelSampling.sample(labels, 256, 0.5, 0, new SplittableRandom(5));
        assertArrayEquals(s.positives(), again.positives());
        assertArrayEquals(s.negatives(), again.negatives());
        assertNotEquals(Arrays.toString(s.positives()), Arrays.toString(LabelSampling.sample(labels, 256, 0.5, 0, new SplittableRandom(6)).positives()));

        // few positives: all of them, the rest negatives; RoI labels: classes 0..2 foreground, 3 background
        int[] roi = {3, 0, 3, 2, 3, 3, 1};
        LabelSampling.Sample r = LabelSampling.sample(roi, 4, 0.25, 3, new SplittableRandom(1));
        assertEquals(1, r.positives().length);
        assertEquals(3, r.negatives().length);
        LabelSampling.Sample all = LabelSampling.sample(roi, 512, 0.25, 3, new SplittableRandom(1));
        Set<Integer> pos = new HashSet<>(Arrays.stream(all.positives()).boxed().toList());
        assertEquals(Set.of(1, 3, 6), pos);
        assertEquals(4, all.negatives().length);
        assertArrayEquals(new int[]{all.positives()[0], all.positives()[1], all.positives()[2], all.negatives()[0], all.negatives()[1],
                all.negatives()[2], all.negatives()[3]}, all.all());
    }

    @Test
    void everyDrawOfTheShuffleIsPossibleAndRoughlyUniform() {
        int[] counts = new int[5];
        SplittableRandom r = new SplittableRandom(9);
        for (int t = 0; t < 5000; t++) counts[LabelSampling.firstOfShuffle(new int[]{0, 1, 2, 3, 4}, 1, r)[0]]++;
        for (int c : counts) assertTrue(c > 850 && c < 1150, Arrays.toString(counts));
    }
}
