package dev.maskseg.pipeline.maskrcnn;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The {@code maskrcnn:} section: MaskDistill's Mask R-CNN stage (docs/methods.md §3.4), detectron2's R50-C4 trained on
 * the clustered masks. {@link #official()} mirrors §3.4 (MoCo's VOC C4 config with MaskDistill's changes);
 * {@link #demo()} is the small setting of {@code maskseg demo --method maskdistill}, whose differences are listed there.
 *
 * @param width            channels of the stem (64 = ResNet-50; smaller values scale every stage alike)
 * @param strideIn1x1      detectron2 RESNETS.STRIDE_IN_1X1, key {@code stride_in_1x1} (false for MoCo/torchvision weights)
 * @param norm             the norm after each ResNet convolution: {@code frozen_bn} (detectron2's FrozenBN) or {@code bn}
 *                         (trained with batch statistics, detectron2's "BN"; what training from scratch needs)
 * @param pretrained       MoCo/torchvision ResNet-50 weights for the backbone and res5 (width 64 only); empty: random init
 * @param freezeAt         frozen stages: 0 none, 1 the stem, 2 the stem and res2
 * @param pixelMean        RGB mean on the 0..255 scale
 * @param pixelStd         RGB std on the 0..255 scale
 * @param minSizeTrain     shorter sides to choose from, one per image and iteration
 * @param maxSizeTrain     cap on the longer side in training
 * @param minSizeTest      shorter side at detection
 * @param maxSizeTest      cap on the longer side at detection
 * @param flip             horizontal flip with probability 0.5 in training
 * @param anchorSizes      anchor sizes in input pixels (one feature level, stride 16)
 * @param anchorRatios     anchor aspect ratios h/w
 * @param rpnBatch         anchors sampled per image for the RPN loss
 * @param rpnPositiveFraction at most this fraction of them positive
 * @param rpnPreNmsTrain   RPN proposals kept before NMS in training (test: {@code rpnPreNmsTest})
 * @param rpnPostNmsTrain  RPN proposals kept after NMS in training (test: {@code rpnPostNmsTest})
 * @param rpnNms           RPN NMS IoU threshold
 * @param roiBatch         RoIs sampled per image for the heads' losses
 * @param roiPositiveFraction at most this fraction of them foreground
 * @param scoreThreshold   detections need a class score above it
 * @param nms              per-class NMS IoU threshold of the detections
 * @param detections       at most this many detections per image
 * @param batch            images per iteration
 * @param lr               base learning rate
 * @param warmupIters      linear warm-up iterations (from lr x warmupFactor)
 * @param steps            iterations at which the lr is multiplied by 0.1
 * @param maxIter          training iterations
 * @param checkpointPeriod iterations between checkpoints (and metrics rows)
 * @param seed             seed of the initialisation and of every random draw (scales, flips, sampling)
 */
public record MaskRcnnConfig(int width, @JsonProperty("stride_in_1x1") boolean strideIn1x1, String norm, String pretrained, int freezeAt, List<Double> pixelMean, List<Double> pixelStd,
                             List<Integer> minSizeTrain, int maxSizeTrain, int minSizeTest, int maxSizeTest, boolean flip,
                             List<Double> anchorSizes, List<Double> anchorRatios, int rpnBatch, double rpnPositiveFraction,
                             int rpnPreNmsTrain, int rpnPostNmsTrain, int rpnPreNmsTest, int rpnPostNmsTest, double rpnNms,
                             int roiBatch, double roiPositiveFraction, double scoreThreshold, double nms, int detections,
                             int batch, double lr, double momentum, double weightDecay, int warmupIters, double warmupFactor,
                             List<Integer> steps, int maxIter, int checkpointPeriod, long seed) {
    public MaskRcnnConfig {
        if (pretrained == null) pretrained = "";
        if (!norm.equals("frozen_bn") && !norm.equals("bn")) throw new IllegalArgumentException("maskrcnn.norm must be frozen_bn or bn, got '" + norm + "'");
        if (width < 1 || width % 4 != 0) throw new IllegalArgumentException("maskrcnn.width must be a positive multiple of 4, got " + width);
        if (!pretrained.isEmpty() && width != 64) throw new IllegalArgumentException("maskrcnn.pretrained needs width 64 (ResNet-50), got width " + width);
        if (freezeAt < 0 || freezeAt > 5) throw new IllegalArgumentException("maskrcnn.freeze_at must be in 0..5, got " + freezeAt);
        if (pixelMean.size() != 3 || pixelStd.size() != 3) throw new IllegalArgumentException("maskrcnn.pixel_mean and pixel_std need 3 values (RGB)");
        if (minSizeTrain.isEmpty()) throw new IllegalArgumentException("maskrcnn.min_size_train needs at least one size");
        for (int s : minSizeTrain) if (s < 16) throw new IllegalArgumentException("maskrcnn.min_size_train: sizes must be >= 16, got " + s);
        if (minSizeTest < 16) throw new IllegalArgumentException("maskrcnn.min_size_test must be >= 16, got " + minSizeTest);
        if (anchorSizes.isEmpty() || anchorRatios.isEmpty()) throw new IllegalArgumentException("maskrcnn.anchor_sizes and anchor_ratios must not be empty");
        if (rpnBatch < 1 || roiBatch < 1 || batch < 1) throw new IllegalArgumentException("maskrcnn: rpn_batch, roi_batch and batch must be >= 1");
        if (rpnPositiveFraction <= 0 || rpnPositiveFraction > 1 || roiPositiveFraction <= 0 || roiPositiveFraction > 1) {
            throw new IllegalArgumentException("maskrcnn: positive fractions must be in (0, 1]");
        }
        if (maxIter < 1) throw new IllegalArgumentException("maskrcnn.max_iter must be >= 1, got " + maxIter);
        if (checkpointPeriod < 1) throw new IllegalArgumentException("maskrcnn.checkpoint_period must be >= 1, got " + checkpointPeriod);
        if (lr <= 0) throw new IllegalArgumentException("maskrcnn.lr must be > 0, got " + lr);
        if (warmupIters < 0 || warmupFactor <= 0 || warmupFactor > 1) throw new IllegalArgumentException("maskrcnn: warmup_iters >= 0 and warmup_factor in (0, 1]");
        pixelMean = List.copyOf(pixelMean);
        pixelStd = List.copyOf(pixelStd);
        minSizeTrain = List.copyOf(minSizeTrain);
        anchorSizes = List.copyOf(anchorSizes);
        anchorRatios = List.copyOf(anchorRatios);
        steps = List.copyOf(steps);
    }

    static final List<Double> MOCO_MEAN = List.of(123.675, 116.280, 103.530), MOCO_STD = List.of(58.395, 57.120, 57.375);

    /**
     * §3.4: R50-C4 from MoCo weights (RGB, MoCo's mean/std, stride in the 3x3), stem + res2 frozen, shorter side 480..800
     * step 32 (≤ 1333), flip; detectron2's RPN/RoI defaults; 16 images per iteration, lr 0.02 x0.1 at 20k and 22k,
     * 24k iterations, 100 warm-up iterations. FrozenBN throughout (MoCo's config trains SyncBN; see docs/methods.md §3.4).
     */
    public static MaskRcnnConfig official() {
        return new MaskRcnnConfig(64, false, "frozen_bn", "", 2, MOCO_MEAN, MOCO_STD, sizes(480, 800, 32), 1333, 800, 1333, true,
                List.of(32.0, 64.0, 128.0, 256.0, 512.0), List.of(0.5, 1.0, 2.0), 256, 0.5, 12000, 2000, 6000, 1000, 0.7,
                512, 0.25, 0.05, 0.5, 100, 16, 0.02, 0.9, 1e-4, 100, 0.001, List.of(20000, 22000), 24000, 1000, 1);
    }

    /**
     * The demo's detector, sized for 2 cores in minutes on 96x96 scenes. Differences from {@link #official()}: width 8 (an
     * eighth of every ResNet-50 stage's channels), random init (no MoCo weights offline), hence trained BN instead of
     * FrozenBN and nothing frozen; the 96x96 scenes upscaled to a shorter side of 160..256 (step 32) in training and 224
     * at detection, anchors 32..128; 128
     * sampled anchors and 32 sampled RoIs per image, 1000/200 RPN proposals before/after NMS in training and 1000/100 at
     * detection; 2 images per iteration, 1200 iterations with 30 of warm-up and one step at 1000 (lr 0.02 as official).
     * At 800 iterations the detector's val mask AP50 was higher (0.83 vs 0.78) but its pseudo maps trained a worse segmenter
     * (label mIoU 0.51 vs 0.62; the prior's own maps give 0.61); 1600 gave 0.73 and 0.61 for a third more time.
     */
    public static MaskRcnnConfig demo() {
        return new MaskRcnnConfig(8, false, "bn", "", 0, MOCO_MEAN, MOCO_STD, sizes(160, 256, 32), 1333, 224, 1333, true,
                List.of(32.0, 64.0, 128.0), List.of(0.5, 1.0, 2.0), 128, 0.5, 1000, 200, 1000, 100, 0.7,
                32, 0.25, 0.05, 0.5, 100, 2, 0.02, 0.9, 1e-4, 30, 0.001, List.of(1000), 1200, 100, 1);
    }

    /** The detector's shape for {@code classes} classes. */
    public dev.maskseg.zoo.maskrcnn.MaskRcnnConfig shape(int classes) {
        return new dev.maskseg.zoo.maskrcnn.MaskRcnnConfig(classes, strideIn1x1, false, width,
                norm.equals("bn") ? dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.Norm.BN : dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.Norm.FROZEN_BN,
                anchorSizes.stream().mapToDouble(Double::doubleValue).toArray(), anchorRatios.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static List<Integer> sizes(int from, int to, int step) {
        List<Integer> out = new java.util.ArrayList<>();
        for (int s = from; s <= to; s += step) out.add(s);
        return out;
    }

    /** The lr of iteration {@code t} (0-based): linear warm-up from lr x warmupFactor, then x0.1 per step passed (steps past maxIter ignored). */
    public double lrAt(long t) {
        if (t < warmupIters) return lr * (warmupFactor + (1 - warmupFactor) * t / (double) warmupIters);
        int passed = 0;
        for (int s : steps) if (s <= t && s <= maxIter) passed++;
        return lr * Math.pow(0.1, passed);
    }

    /** Shorter side and longer-side cap of training, as detectron2's ResizeShortestEdge: the new (h, w) of an h x w image. */
    public static int[] resizedSize(int h, int w, int shortSide, int maxSize) {
        double scale = shortSide / (double) Math.min(h, w);
        double nh = h < w ? shortSide : scale * h, nw = h < w ? scale * w : shortSide;
        if (Math.max(nh, nw) > maxSize) {
            double f = maxSize / Math.max(nh, nw);
            nh *= f;
            nw *= f;
        }
        return new int[]{(int) (nh + 0.5), (int) (nw + 0.5)};
    }
}
