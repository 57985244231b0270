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

/** Per-image RPN and RoI targets against the loss fixture's matches and counts, and subsample_labels' counts and seeding. */
class MaskRcnnTargetsTest {
    @Test
    void rpnAndRoiTargetsMatchTheLossFixturesMatchesAndDrawItsCounts() {
        Map<String, Tensor> f = Fixtures.maskrcnn();
        Tensor anchors = f.get("losses_96x128.anchors"), gt = f.get("losses_96x128.gt_boxes");
        int[] labels = Fixtures.ints(f.get("losses_96x128.rpn_match_labels"));
        MaskRcnnTargets.Rpn rpn = MaskRcnnTargets.rpn(anchors, gt, 256, 0.5, new SplittableRandom(3));
        assertArrayEquals(Fixtures.ints(f.get("losses_96x128.rpn_matched")), rpn.matched());
        assertEquals(f.get("losses_96x128.rpn_pos").size(0), rpn.positives().length);
        assertEquals(f.get("losses_96x128.rpn_neg").size(0), rpn.negatives().length);
        for (int p : rpn.positives()) assertEquals(1, labels[p]);
        for (int n : rpn.negatives()) assertEquals(0, labels[n]);

        // 52 proposals + 3 ground-truth boxes, all sampled (55 < 512): the same set as the reference, foreground first
        Tensor props = f.get("losses_96x128.proposals");
        int[] gtClasses = Fixtures.ints(f.get("losses_96x128.gt_classes"));
        MaskRcnnTargets.Roi roi = MaskRcnnTargets.roi(props, gt, gtClasses, 3, 512, 0.25, new SplittableRandom(3));
        int numFg = (int) f.get("losses_96x128.roi_num_fg").toLongArray()[0];
        assertEquals(numFg, roi.foreground());
        int[] roiClasses = Fixtures.ints(f.get("losses_96x128.roi_classes")), roiMatched = Fixtures.ints(f.get("losses_96x128.roi_matched"));
        float[] withGt = f.get("losses_96x128.roi_proposals_with_gt").toFloatArray(), boxes = roi.boxes().toFloatArray(), gtb = gt.toFloatArray();
        float[] matchedBoxes = roi.gtBoxes().toFloatArray();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < roi.classes().length; i++) {
            int row = -1;
            for (int r = 0; r < withGt.length / 4 && row < 0; r++) {
                if (!seen.contains(r) && Arrays.equals(Arrays.copyOfRange(withGt, 4 * r, 4 * r + 4), Arrays.copyOfRange(boxes, 4 * i, 4 * i + 4))) row = r;
            }
            assertTrue(row >= 0, "sampled box " + i + " is a proposal or ground truth");
            seen.add(row);
            assertEquals(roiClasses[row], roi.classes()[i]);
            assertEquals(i < numFg, roi.classes()[i] < 3);
            if (i < numFg) {
                assertEquals(roiMatched[row], roi.matched()[i]);
                assertArrayEquals(Arrays.copyOfRange(gtb, 4 * roiMatched[row], 4 * roiMatched[row] + 4), Arrays.copyOfRange(matchedBoxes, 4 * i, 4 * i + 4));
            }
        }
        assertEquals(55, seen.size());
        // without ground truth every proposal is background
        MaskRcnnTargets.Roi none = MaskRcnnTargets.roi(props, Tensor.zeros(0, 4), new int[0], 3, 16, 0.25, new SplittableRandom(1));
        assertEquals(0, none.foreground());
        assertEquals(16, none.classes().length);
        for (int c : none.classes()) assertEquals(3, c);
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
