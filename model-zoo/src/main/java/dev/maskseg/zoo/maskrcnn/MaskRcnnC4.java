package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Anchors;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.ops.RoiAlign;
import dev.maskseg.zoo.maskrcnn.BoxInference.Detections;
import dev.maskseg.zoo.maskrcnn.BoxInference.Instances;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.DetectionParams;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.ProposalParams;
import dev.maskseg.zoo.maskrcnn.Res5RoiHeads.BoxOutputs;
import dev.maskseg.zoo.maskrcnn.RpnProposals.Proposals;

import java.util.ArrayList;
import java.util.List;

/**
 * detectron2's R50-C4 Mask R-CNN (docs/methods.md §3.4) with its state-dict names: {@code backbone.*} ({@link ResNetC4}),
 * {@code proposal_generator.rpn_head.*} ({@link RpnHead}), {@code roi_heads.*} ({@link Res5RoiHeads}). Inputs are
 * normalized [N, 3, H, W] images (pixel mean/std already applied, channels in the weights' order).
 *
 * <p>The pieces are public so that a trainer can run them with gradients: {@link #features}, {@link #rpn},
 * {@link #anchors}, {@link #proposals}, {@link #regionFeatures}, {@link #boxHead}, {@link #maskLogits}. Without
 * gradients, region features are computed in chunks of {@link #ROI_CHUNK} boxes (res5 on a thousand 14x14 regions is
 * ~1.5 TFLOP in one batch).
 */
public final class MaskRcnnC4 extends Module {
    /** Boxes per res5 batch when no gradient is recorded. */
    public static final int ROI_CHUNK = 64;
    /** Side of the mask head's output (res5 halves the 14x14 pooled regions, the deconv doubles them back). */
    public static final int MASK_SIZE = MaskRcnnConfig.POOLER_RESOLUTION;

    /** detectron2's RPN module; its only child is the head. */
    public static final class ProposalGenerator extends Module {
        public final RpnHead rpnHead;

        ProposalGenerator(MaskRcnnConfig config, Generator g) {
            rpnHead = registerModule("rpn_head", new RpnHead(config.res4Channels(), config.anchorsPerCell(), g));
        }

        @Override
        public Tensor forward(Tensor res4) { return rpnHead.forward(res4); }
    }

    /** Heads on given boxes: class logits [R, C+1], box deltas [R, 4C], mask logits [R, C, 14, 14]. */
    public record HeadOutputs(Tensor logits, Tensor deltas, Tensor maskLogits) {}

    public final MaskRcnnConfig config;
    public final ResNetC4 backbone;
    public final ProposalGenerator proposalGenerator;
    public final Res5RoiHeads roiHeads;

    public MaskRcnnC4(MaskRcnnConfig config, Generator g) {
        this.config = config;
        backbone = registerModule("backbone", new ResNetC4(config.strideInOneByOne(), config.width(), config.norm(), g));
        proposalGenerator = registerModule("proposal_generator", new ProposalGenerator(config, g));
        roiHeads = registerModule("roi_heads", new Res5RoiHeads(config, g));
    }

    public int numClasses() { return config.numClasses(); }

    /** res4 [N, 1024, h, w]. */
    public Tensor features(Tensor images) { return backbone.forward(images); }

    /** RPN head outputs in detectron2's flattened order (objectness [N, h·w·A], deltas [N, h·w·A, 4]). */
    public RpnHead.Outputs rpn(Tensor res4) { return proposalGenerator.rpnHead.run(res4); }

    /** The anchors [h·w·A, 4] of an h x w res4 map (rows in the order of {@link #rpn}'s outputs). */
    public static Tensor anchors(int h, int w) {
        return Anchors.grid(h, w, MaskRcnnConfig.STRIDE, MaskRcnnConfig.ANCHOR_SIZES, MaskRcnnConfig.ANCHOR_RATIOS, 0.0);
    }

    /** This model's anchors [h·w·A, 4] (its configured sizes and ratios) of an h x w res4 map. */
    public Tensor anchorGrid(int h, int w) {
        return Anchors.grid(h, w, MaskRcnnConfig.STRIDE, config.anchorSizes(), config.anchorRatios(), 0.0);
    }

    /** Proposals of image {@code image} of the batch (its unpadded size imageH x imageW). */
    public Proposals proposals(RpnHead.Outputs rpn, int image, int imageH, int imageW, ProposalParams p) {
        Tensor anchors = anchorGrid(rpn.height(), rpn.width()).to(rpn.objectness().backend());
        return RpnProposals.find(rpn.objectness().select(0, image), rpn.deltas().select(0, image), anchors, imageH, imageW, p);
    }

    /** res5 features [R, 2048, 7, 7] of rois [R, 5] (image index, x1, y1, x2, y2); chunked when no gradient is recorded. */
    public Tensor regionFeatures(Tensor res4, Tensor rois) {
        if (GradMode.isEnabled() || rois.size(0) <= ROI_CHUNK) return roiHeads.regionFeatures(res4, rois);
        List<Tensor> parts = new ArrayList<>();
        for (int s = 0; s < rois.size(0); s += ROI_CHUNK) parts.add(roiHeads.regionFeatures(res4, rois.narrow(0, s, Math.min(ROI_CHUNK, rois.size(0) - s))));
        return Index.cat(parts, 0);
    }

    public BoxOutputs boxHead(Tensor regionFeatures) { return roiHeads.boxHead(regionFeatures); }

    public Tensor maskLogits(Tensor regionFeatures) { return roiHeads.maskLogits(regionFeatures); }

    /**
     * Box and mask heads on given boxes [R, 4] of image {@code image} (pooled once, res5 once), chunked when no gradient
     * is recorded.
     */
    public HeadOutputs heads(Tensor res4, int image, Tensor boxes, boolean withMasks) {
        Tensor rois = roisOf(image, boxes);
        if (rois.size(0) == 0) {
            int c = config.numClasses(), m = MASK_SIZE;
            var be = res4.backend();
            return new HeadOutputs(Tensor.zeros(0, c + 1).to(be), Tensor.zeros(0, 4 * c).to(be), withMasks ? Tensor.zeros(0, c, m, m).to(be) : null);
        }
        int step = GradMode.isEnabled() ? Math.max(1, rois.size(0)) : ROI_CHUNK;
        List<Tensor> logits = new ArrayList<>(), deltas = new ArrayList<>(), masks = new ArrayList<>();
        for (int s = 0; s < rois.size(0); s += step) {
            Tensor f = roiHeads.regionFeatures(res4, rois.narrow(0, s, Math.min(step, rois.size(0) - s)));
            BoxOutputs b = roiHeads.boxHead(f);
            logits.add(b.logits());
            deltas.add(b.deltas());
            if (withMasks) masks.add(roiHeads.maskLogits(f));
        }
        return new HeadOutputs(Index.cat(logits, 0), Index.cat(deltas, 0), withMasks ? Index.cat(masks, 0) : null);
    }

    private static Tensor roisOf(int image, Tensor boxes) {
        List<Tensor> perImage = new ArrayList<>();
        for (int i = 0; i < image; i++) perImage.add(Tensor.zeros(0, 4).to(boxes.backend()));
        perImage.add(boxes);
        return RoiAlign.rois(perImage);
    }

    /** Box inference on an image's proposals: scored, per-class NMS'd detections (boxes in input pixels). */
    public Detections detect(Tensor res4, int image, Proposals proposals, int imageH, int imageW, DetectionParams p) {
        HeadOutputs h = heads(res4, image, proposals.boxes(), false);
        return BoxInference.detect(h.logits(), h.deltas(), proposals.boxes(), imageH, imageW, p);
    }

    /** Mask inference: the detected boxes pooled again → res5 → mask head; each detection's class channel, sigmoid → [D, 14, 14]. */
    public Tensor maskProbabilities(Tensor res4, int image, Detections det) {
        int d = det.size();
        if (d == 0) return Tensor.zeros(0, MASK_SIZE, MASK_SIZE).to(res4.backend());
        Tensor logits = heads(res4, image, det.boxes(), true).maskLogits();
        int c = logits.size(1);
        long[] pick = new long[d];
        for (int i = 0; i < d; i++) pick[i] = i * (long) c + det.classes()[i];
        Tensor flat = logits.reshape(d * c, logits.size(2), logits.size(3));
        return Index.indexSelect(flat, 0, Tensor.ofLongs(pick, d).to(flat.backend())).sigmoid();
    }

    /** Everything test-time inference of one image computes, including the intermediate values. */
    public record Inference(Tensor res4, RpnHead.Outputs rpn, Proposals proposals, Detections detections, Tensor maskProbs,
                            Instances instances) {}

    /**
     * End-to-end test-time inference of a one-image batch [1, 3, H, W], with results at outH x outW (the input's size
     * for {@code maskseg forward}; the original image size when the input was resized).
     */
    public Inference infer(Tensor image, int outH, int outW, ProposalParams pp, DetectionParams dp) {
        if (image.dim() != 4 || image.size(0) != 1) {
            throw new IllegalArgumentException("maskrcnn_r50_c4: inference takes one image [1,3,H,W], got " + image.shapeString());
        }
        try (var ng = GradMode.noGrad()) {
            int h = image.size(2), w = image.size(3);
            Tensor res4 = features(image);
            RpnHead.Outputs rpn = rpn(res4);
            Proposals props = proposals(rpn, 0, h, w, pp);
            Detections det = detect(res4, 0, props, h, w, dp);
            Tensor probs = maskProbabilities(res4, 0, det);
            Instances inst = BoxInference.postprocess(det, probs, h, w, outH, outW, dp.maskThreshold());
            return new Inference(res4, rpn, props, det, probs, inst);
        }
    }

    /** The class probabilities of head logits (softmax over C+1, background last). */
    public static Tensor classProbabilities(Tensor logits) { return Norm.softmax(logits, -1); }

    /** The backbone's res4 (a Module needs a single-tensor forward). */
    @Override
    public Tensor forward(Tensor images) { return features(images); }
}
