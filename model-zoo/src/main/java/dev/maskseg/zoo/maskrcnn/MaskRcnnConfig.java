package dev.maskseg.zoo.maskrcnn;

/**
 * The shape of a detectron2 R50-C4 Mask R-CNN (docs/methods.md §3.4): foreground classes C (background is class C),
 * where the ResNet blocks put their stride ({@code strideInOneByOne}: true for detectron2's MSRA-initialised models,
 * false for models trained from torchvision/MoCo weights), and MoCo's extra FrozenBN after res5. The three-argument
 * constructor is R50-C4 itself; the other settings are for smaller detectors trained from scratch (the demo's): the
 * stem's {@code width} (64 = ResNet-50; every stage scales with it: res4 16·width channels, res5 32·width, the mask
 * head 4·width), the norm after each convolution (detectron2's FrozenBN, or BN trained with batch statistics, as
 * detectron2's RESNETS.NORM "BN"/"SyncBN") and the anchors' sizes and aspect ratios.
 */
public record MaskRcnnConfig(int numClasses, boolean strideInOneByOne, boolean res5ExtraNorm, int width, Norm norm, double[] anchorSizes,
                             double[] anchorRatios) {
    /** The norm after each ResNet convolution. */
    public enum Norm { FROZEN_BN, BN }

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
        if (width < 1 || width % 4 != 0) throw new IllegalArgumentException("maskrcnn_r50_c4: width must be a positive multiple of 4, got " + width);
        if (anchorSizes.length == 0 || anchorRatios.length == 0) throw new IllegalArgumentException("maskrcnn_r50_c4: anchor sizes and ratios must not be empty");
        anchorSizes = anchorSizes.clone();
        anchorRatios = anchorRatios.clone();
    }

    /** detectron2's R50-C4: width 64, FrozenBN, anchors 32..512 x 0.5/1/2. */
    public MaskRcnnConfig(int numClasses, boolean strideInOneByOne, boolean res5ExtraNorm) {
        this(numClasses, strideInOneByOne, res5ExtraNorm, 64, Norm.FROZEN_BN, ANCHOR_SIZES, ANCHOR_RATIOS);
    }

    @Override public double[] anchorSizes() { return anchorSizes.clone(); }

    @Override public double[] anchorRatios() { return anchorRatios.clone(); }

    public int anchorsPerCell() { return anchorSizes.length * anchorRatios.length; }

    /** Channels of res4 (1024 for ResNet-50), of res5 (2048) and of the mask head's deconvolution (256). */
    public int res4Channels() { return 16 * width; }

    public int res5Channels() { return 32 * width; }

    public int maskHeadChannels() { return 4 * width; }

    /** Whether this is detectron2's R50-C4 shape (what weights without shape metadata are). */
    public boolean isR50() {
        return width == 64 && norm == Norm.FROZEN_BN && java.util.Arrays.equals(anchorSizes, ANCHOR_SIZES) && java.util.Arrays.equals(anchorRatios, ANCHOR_RATIOS);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskRcnnConfig c && c.numClasses == numClasses && c.strideInOneByOne == strideInOneByOne && c.res5ExtraNorm == res5ExtraNorm
                && c.width == width && c.norm == norm && java.util.Arrays.equals(c.anchorSizes, anchorSizes) && java.util.Arrays.equals(c.anchorRatios, anchorRatios);
    }

    @Override
    public int hashCode() { return java.util.Objects.hash(numClasses, strideInOneByOne, res5ExtraNorm, width, norm) * 31 + java.util.Arrays.hashCode(anchorSizes); }

    @Override
    public String toString() {
        return "MaskRcnnConfig[classes=" + numClasses + ", strideInOneByOne=" + strideInOneByOne + ", res5ExtraNorm=" + res5ExtraNorm + ", width=" + width
                + ", norm=" + norm + ", anchorSizes=" + java.util.Arrays.toString(anchorSizes) + ", anchorRatios=" + java.util.Arrays.toString(anchorRatios) + "]";
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
