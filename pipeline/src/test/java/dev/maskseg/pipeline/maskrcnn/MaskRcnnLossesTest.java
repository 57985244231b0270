package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The training losses against tools/maskrcnn_losses_reference.py's {@code losses_96x128} case (one 96x128 image, 3
 * ground truths, 720 anchors, 52 proposals + the 3 ground-truth boxes; the sampled anchors and RoIs are inputs): the
 * five loss values, the mask targets, and the gradient of their sum to each prediction.
 */
class MaskRcnnLossesTest {
    private static final String C = "losses_96x128.";

    @Test
    void lossesMaskTargetsAndGradientsEqualTheReference() {
        Map<String, Tensor> f = Fixtures.maskrcnn();
        Tensor objectness = f.get(C + "objectness").clone().requiresGrad(true), anchorDeltas = f.get(C + "anchor_deltas").clone().requiresGrad(true);
        Tensor logits = f.get(C + "class_logits").clone().requiresGrad(true), boxDeltas = f.get(C + "box_deltas").clone().requiresGrad(true);
        Tensor maskLogits = f.get(C + "mask_logits").clone().requiresGrad(true);
        Tensor gt = f.get(C + "gt_boxes");
        int[] gtClasses = Fixtures.ints(f.get(C + "gt_classes"));

        Tensor[] rpn = MaskRcnnLosses.rpnSums(objectness, anchorDeltas, f.get(C + "anchors"), gt, Fixtures.ints(f.get(C + "rpn_pos")),
                Fixtures.ints(f.get(C + "rpn_neg")), Fixtures.ints(f.get(C + "rpn_matched")));
        Tensor rpnCls = rpn[0].div(256), rpnLoc = rpn[1].div(256);

        int[] sampled = Fixtures.ints(f.get(C + "roi_sampled")), roiClasses = Fixtures.ints(f.get(C + "roi_classes")), roiMatched = Fixtures.ints(f.get(C + "roi_matched"));
        int s = sampled.length, numFg = (int) f.get(C + "roi_num_fg").toLongArray()[0];
        float[] props = f.get(C + "roi_proposals_with_gt").toFloatArray(), gtb = gt.toFloatArray();
        float[] sp = new float[4 * s], sg = new float[4 * s];
        int[] classes = new int[s], matched = new int[numFg];
        for (int i = 0; i < s; i++) {
            System.arraycopy(props, 4 * sampled[i], sp, 4 * i, 4);
            System.arraycopy(gtb, 4 * roiMatched[sampled[i]], sg, 4 * i, 4);
            classes[i] = roiClasses[sampled[i]];
            if (i < numFg) matched[i] = roiMatched[sampled[i]];
        }
        for (int i = 0; i < s; i++) assertEquals(i < numFg, classes[i] < 3, "foreground first, then background");
        Tensor sampledProps = Tensor.of(sp, s, 4);
        Tensor[] box = MaskRcnnLosses.boxHead(logits, boxDeltas, classes, sampledProps, Tensor.of(sg, s, 4));

        Tensor targets = MaskRcnnLosses.maskTargets(f.get(C + "gt_masks"), sampledProps.narrow(0, 0, numFg), matched, 14);
        assertArrayEquals(f.get(C + "mask_targets").toFloatArray(), targets.toFloatArray(), "mask targets");
        int[] fgClasses = java.util.Arrays.copyOf(classes, numFg);
        for (int i = 0; i < numFg; i++) assertEquals(gtClasses[matched[i]], fgClasses[i]);
        Tensor mask = MaskRcnnLosses.mask(maskLogits, fgClasses, targets);

        MaskRcnnLosses.Terms t = new MaskRcnnLosses.Terms(rpnCls, rpnLoc, box[0], box[1], mask);
        double[] v = t.values();
        for (int i = 0; i < 5; i++) {
            double want = f.get(C + MaskRcnnLosses.Terms.NAMES[i]).toFloatArray()[0];
            assertEquals(want, v[i], 2e-6 * Math.max(1, Math.abs(want)), MaskRcnnLosses.Terms.NAMES[i]);
        }
        t.total().backward();
        String[] names = {"objectness", "anchor_deltas", "class_logits", "box_deltas", "mask_logits"};
        Tensor[] inputs = {objectness, anchorDeltas, logits, boxDeltas, maskLogits};
        for (int i = 0; i < 5; i++) {
            float[] want = f.get(C + "grad_" + names[i]).toFloatArray(), got = inputs[i].grad().toFloatArray();
            for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 1e-7 + 1e-5 * Math.abs(want[k]), "grad_" + names[i] + "[" + k + "]");
        }
    }
}
