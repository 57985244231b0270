package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.Boxes;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.engine.ops.Losses.Reduction;
import dev.maskseg.engine.ops.RoiAlign;

/**
 * The five Mask R-CNN training losses of docs/methods.md §3.4 as detectron2 computes them, from given samples (which
 * anchors and RoIs were drawn, see {@link MaskRcnnTargets}): the RPN's objectness BCE and L1 box loss, both summed over
 * the sampled anchors of the batch and divided by (anchors per image x images); the box head's cross-entropy, averaged
 * over every sampled RoI of the batch, and its L1 box loss on the foreground RoIs' own-class deltas, divided by the
 * number of sampled RoIs; the mask head's BCE on each foreground RoI's own-class 14x14 logits against the RoIAligned
 * ground-truth mask (≥ 0.5), averaged over all their pixels.
 */
public final class MaskRcnnLosses {
    /** RPN box weights and the RoI heads' (docs/methods.md §3.4). */
    public static final double[] RPN_WEIGHTS = {1, 1, 1, 1}, ROI_WEIGHTS = {10, 10, 5, 5};

    private MaskRcnnLosses() {}

    /** The five losses and their sum. */
    public record Terms(Tensor rpnCls, Tensor rpnLoc, Tensor cls, Tensor boxReg, Tensor mask) {
        public Tensor total() { return rpnCls.add(rpnLoc).add(cls).add(boxReg).add(mask); }

        /** The terms as numbers, in the order of {@link #NAMES}. */
        public double[] values() { return new double[]{rpnCls.item(), rpnLoc.item(), cls.item(), boxReg.item(), mask.item()}; }

        public static final String[] NAMES = {"loss_rpn_cls", "loss_rpn_loc", "loss_cls", "loss_box_reg", "loss_mask"};
    }

    /**
     * One image's RPN sums (not yet normalised): BCE of the sampled anchors' objectness [P] against 1 (positives) / 0
     * (negatives), and L1 of the positives' deltas [P, 4] against encode(anchor, matched ground truth; 1, 1, 1, 1).
     *
     * @param matched the ground-truth index of every anchor
     */
    public static Tensor[] rpnSums(Tensor objectness, Tensor deltas, Tensor anchors, Tensor gtBoxes, int[] positives, int[] negatives, int[] matched) {
        int n = positives.length + negatives.length;
        Tensor cls, loc;
        if (n == 0) {
            cls = objectness.sum().mul(0.0);
        } else {
            long[] idx = new long[n];
            float[] label = new float[n];
            for (int i = 0; i < positives.length; i++) {
                idx[i] = positives[i];
                label[i] = 1;
            }
            for (int i = 0; i < negatives.length; i++) idx[positives.length + i] = negatives[i];
            Tensor picked = Index.indexSelect(objectness, 0, longs(idx, objectness));
            cls = Losses.bceWithLogits(picked, Tensor.of(label, n).to(objectness.backend()), null, Reduction.SUM);
        }
        if (positives.length == 0 || gtBoxes.size(0) == 0) {
            loc = deltas.sum().mul(0.0);
        } else {
            long[] pos = new long[positives.length], gt = new long[positives.length];
            for (int i = 0; i < positives.length; i++) {
                pos[i] = positives[i];
                gt[i] = matched[positives[i]];
            }
            Tensor target;
            try (var ng = GradMode.noGrad()) {
                target = Boxes.encode(Index.indexSelect(anchors, 0, longs(pos, anchors)), Index.indexSelect(gtBoxes, 0, longs(gt, gtBoxes)), RPN_WEIGHTS);
            }
            loc = Losses.smoothL1(Index.indexSelect(deltas, 0, longs(pos, deltas)), target, 0.0, Reduction.SUM);
        }
        return new Tensor[]{cls, loc};
    }

    /**
     * The box head's losses over the sampled RoIs of the whole batch: logits [S, C+1], deltas [S, 4C], their classes
     * (C = background), proposal boxes [S, 4] and matched ground-truth boxes [S, 4] (any value on background rows).
     */
    public static Tensor[] boxHead(Tensor logits, Tensor deltas, int[] classes, Tensor proposals, Tensor gtBoxes) {
        int s = classes.length, c = logits.size(1) - 1;
        if (s == 0) return new Tensor[]{logits.sum().mul(0.0), deltas.sum().mul(0.0)};
        long[] target = new long[s];
        int fg = 0;
        for (int i = 0; i < s; i++) {
            target[i] = classes[i];
            if (classes[i] >= 0 && classes[i] < c) fg++;
        }
        Tensor cls = Losses.crossEntropy(logits, longs(target, logits), null, -100, Reduction.MEAN);
        if (fg == 0) return new Tensor[]{cls, deltas.sum().mul(0.0)};
        long[] rows = new long[fg], cells = new long[fg];
        int k = 0;
        for (int i = 0; i < s; i++) {
            if (classes[i] < 0 || classes[i] >= c) continue;
            rows[k] = i;
            cells[k++] = (long) i * c + classes[i];
        }
        Tensor pred = Index.indexSelect(deltas.reshape(s * c, 4), 0, longs(cells, deltas));
        Tensor goal;
        try (var ng = GradMode.noGrad()) {
            Tensor r = longs(rows, proposals);
            goal = Boxes.encode(Index.indexSelect(proposals, 0, r), Index.indexSelect(gtBoxes, 0, r), ROI_WEIGHTS);
        }
        Tensor box = Losses.smoothL1(pred, goal, 0.0, Reduction.SUM).div(Math.max(s, 1));
        return new Tensor[]{cls, box};
    }

    /**
     * Mask targets [F, 14, 14] (0/1 float): each foreground RoI's box RoIAligned (14x14, scale 1, adaptive sampling,
     * aligned) on its matched ground truth's full-image mask [G, H, W], then ≥ 0.5.
     */
    public static Tensor maskTargets(Tensor gtMasks, Tensor boxes, int[] matched, int resolution) {
        int f = matched.length;
        if (f == 0) return Tensor.zeros(0, resolution, resolution).to(boxes.backend());
        try (var ng = GradMode.noGrad()) {
            float[] idx = new float[f];
            for (int i = 0; i < f; i++) idx[i] = matched[i];
            Tensor rois = Index.cat(java.util.List.of(Tensor.of(idx, f, 1).to(boxes.backend()), boxes.to(DType.FLOAT32)), 1);
            Tensor masks = gtMasks.to(DType.FLOAT32).unsqueeze(1);
            Tensor pooled = RoiAlign.roiAlign(masks, rois, resolution, resolution, 1.0, 0, true).select(1, 0);
            return pooled.ge(0.5).to(DType.FLOAT32);
        }
    }

    /** The mask loss: mean BCE of each foreground RoI's own-class logits (of [F, C, M, M]) against its target [F, M, M]. */
    public static Tensor mask(Tensor maskLogits, int[] fgClasses, Tensor targets) {
        int f = fgClasses.length;
        if (f == 0) return maskLogits.sum().mul(0.0);
        int c = maskLogits.size(1), m = maskLogits.size(2);
        long[] cells = new long[f];
        for (int i = 0; i < f; i++) cells[i] = (long) i * c + fgClasses[i];
        Tensor picked = Index.indexSelect(maskLogits.reshape(f * c, m, maskLogits.size(3)), 0, longs(cells, maskLogits));
        return Losses.bceWithLogits(picked, targets, null, Reduction.MEAN);
    }

    private static Tensor longs(long[] v, Tensor like) { return Tensor.ofLongs(v, v.length).to(like.backend()); }
}
