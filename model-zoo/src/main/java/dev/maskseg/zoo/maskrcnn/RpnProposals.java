package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.Boxes;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Nms;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.ProposalParams;


/**
 * detectron2's find_top_rpn_proposals for one image and one feature level (docs/methods.md §3.4): the top-k objectness
 * logits (ties: lower anchor first) with their anchors decoded (weights 1,1,1,1), non-finite rows dropped (an error in
 * training), boxes clipped to the image, empty ones dropped (sides must exceed minSize), NMS, the first post-NMS top-k.
 * Selection and NMS run on the host over the few thousand candidates; decoding and clipping are tensor ops.
 */
public final class RpnProposals {
    private RpnProposals() {}

    /** Proposal boxes [P, 4] and logits [P] by descending logit, and the anchor row each came from. */
    public record Proposals(Tensor boxes, Tensor logits, long[] anchorIndex) {
        public int size() { return anchorIndex.length; }
    }

    /** objectness [h·w·A], deltas [h·w·A, 4], anchors [h·w·A, 4] of one image; proposals are constants (no gradient). */
    public static Proposals find(Tensor objectness, Tensor deltas, Tensor anchors, int imageH, int imageW, ProposalParams p) {
        try (var ng = GradMode.noGrad()) {
            int total = objectness.size(0);
            if (deltas.size(0) != total || anchors.size(0) != total) {
                throw new IllegalArgumentException("rpn proposals: " + total + " logits, " + deltas.size(0) + " deltas, " + anchors.size(0) + " anchors");
            }
            double[] logit = objectness.detach().toDoubleArray();
            int[] order = Nms.rankOrder(logit);
            int k = Math.min(total, p.preNmsTopK());
            long[] top = new long[k];
            for (int i = 0; i < k; i++) top[i] = order[i];
            Tensor idx = Tensor.ofLongs(top, k).to(deltas.backend());
            Tensor boxes = Boxes.decode(Index.indexSelect(deltas.detach(), 0, idx), Index.indexSelect(anchors, 0, idx),
                    MaskRcnnConfig.RPN_BOX_WEIGHTS, Boxes.SCALE_CLAMP);
            float[] b = boxes.toFloatArray();
            int kept = 0;
            long[] rows = new long[k];
            float[] kb = new float[4 * k];
            for (int i = 0; i < k; i++) {
                boolean finite = Double.isFinite(logit[order[i]]);
                for (int c = 0; c < 4; c++) finite &= Float.isFinite(b[4 * i + c]);
                if (!finite) {
                    if (p.failOnNonFinite()) throw new IllegalStateException("rpn proposals: predicted boxes or scores contain Inf/NaN; training has diverged");
                    continue;
                }
                float x1 = clamp(b[4 * i], imageW), y1 = clamp(b[4 * i + 1], imageH), x2 = clamp(b[4 * i + 2], imageW), y2 = clamp(b[4 * i + 3], imageH);
                if (!(x2 - x1 > p.minSize() && y2 - y1 > p.minSize())) continue;
                rows[kept] = i;
                kb[4 * kept] = x1;
                kb[4 * kept + 1] = y1;
                kb[4 * kept + 2] = x2;
                kb[4 * kept + 3] = y2;
                kept++;
            }
            double[] box = new double[4 * kept], score = new double[kept];
            for (int i = 0; i < kept; i++) {
                for (int c = 0; c < 4; c++) box[4 * i + c] = kb[4 * i + c];
                score[i] = (float) logit[order[(int) rows[i]]];
            }
            long[] keep = Nms.nms(box, score, true, p.nmsThreshold());
            int n = Math.min(keep.length, p.postNmsTopK());
            float[] outBoxes = new float[4 * n], outLogits = new float[n];
            long[] anchor = new long[n];
            for (int i = 0; i < n; i++) {
                int j = (int) keep[i];
                for (int c = 0; c < 4; c++) outBoxes[4 * i + c] = kb[4 * j + c];
                outLogits[i] = (float) score[j];
                anchor[i] = order[(int) rows[j]];
            }
            return new Proposals(Tensor.of(outBoxes, n, 4).to(deltas.backend()), Tensor.of(outLogits, n).to(deltas.backend()), anchor);
        }
    }

    /** torch.clamp(v, 0, limit) in float32. */
    static float clamp(float v, int limit) { return Math.min(Math.max(v, 0f), (float) limit); }

    /** The boxes of several images' proposals, for {@link dev.maskseg.engine.ops.RoiAlign#rois}. */
    public static java.util.List<Tensor> boxes(java.util.List<Proposals> perImage) {
        return perImage.stream().map(Proposals::boxes).toList();
    }

}
