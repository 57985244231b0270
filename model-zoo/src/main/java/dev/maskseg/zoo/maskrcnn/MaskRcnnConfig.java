package dev.maskseg.zoo.maskrcnn;

/**
 * The shape of a detectron2 R50-C4 Mask R-CNN (docs/methods.md §3.4): foreground classes C (background is class C),
 * where the ResNet blocks put their stride ({@code strideInOneByOne}: true for detectron2's MSRA-initialised models,
 * false for models trained from torchvision/MoCo weights), and MoCo's extra FrozenBN after res5.
 */
public record MaskRcnnConfig(int numClasses, boolean strideInOneByOne, boolean res5ExtraNorm) {
    public static final double[] ANCHOR_SIZES = {32, 64, 128, 256, 512};
    public static final double[] ANCHOR_RATIOS = {0.5, 1.0, 2.0};
    public static final int ANCHORS_PER_CELL = ANCHOR_SIZES.length * ANCHOR_RATIOS.length;
    /** Output stride of res4: the anchor stride and 1 / the pooler's spatial scale. */
    public static final int STRIDE = 16;
    public static final double[] RPN_BOX_WEIGHTS = {1, 1, 1, 1};
    public static final double[] ROI_BOX_WEIGHTS = {10, 10, 5, 5};
    /** RoIAlign output of the box and mask branches (then res5 halves it to 7x7; the mask head doubles that back). */
    public static final int POOLER_RESOLUTION = 14;

    public MaskRcnnConfig {
        if (numClasses < 1) throw new IllegalArgumentException("maskrcnn_r50_c4: at least one foreground class, got " + numClasses);
    }

    /** RPN proposal selection (find_top_rpn_proposals); non-finite boxes are an error in training, dropped at test. */
    public record ProposalParams(int preNmsTopK, int postNmsTopK, double nmsThreshold, double minSize, boolean failOnNonFinite) {
        public static final ProposalParams TEST = new ProposalParams(6000, 1000, 0.7, 0.0, false);
        public static final ProposalParams TRAIN = new ProposalParams(12000, 2000, 0.7, 0.0, true);
    }

    /** fast_rcnn_inference: score threshold (strict), per-class NMS, detections per image; the mask paste threshold. */
    public record DetectionParams(double scoreThreshold, double nmsThreshold, int maxDetections, double maskThreshold) {
        public static final DetectionParams TEST = new DetectionParams(0.05, 0.5, 100, 0.5);
    }
}
