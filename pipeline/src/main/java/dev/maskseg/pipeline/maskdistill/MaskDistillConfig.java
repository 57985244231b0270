package dev.maskseg.pipeline.maskdistill;

/**
 * MaskDistill's final segmentation stage (docs/methods.md §3.6). {@link #official()} mirrors
 * {@code segmentation/configs/multi_obj/deeplab.yml}; {@link #demo()} is a small setting for generated scenes.
 *
 * @param backbone     {@code resnet50} (DeepLab-v3, dilated ResNet-50) or {@code small}
 * @param clusters     mask clusters C; the network predicts C + 1 labels (0 = background)
 * @param size         training images are resized to size x size (official 512)
 * @param lrStepEpoch  the lr is multiplied by 0.1 for epochs after this one (official 40 of 45)
 * @param hardFraction top fraction of pixels whose CE is averaged (hard pixel mining, official 0.2)
 * @param tau          confidence threshold for scored candidates (§3.5, official 0.9)
 * @param pretrained   MoCo/torchvision ResNet-50 weights for the resnet50 backbone; empty: random init
 * @param detector     whose scored candidates become the pseudo maps (§3.4–3.5): {@code maskrcnn} (the method: a Mask R-CNN
 *                     trained on the clustered masks, the {@code maskrcnn:} section) or {@code prior} (the prior's own
 *                     masks and scores, without a detector)
 * @param paint        how overlapping candidates are painted (§3.5): {@code paper} (a painted pixel is never overwritten) or
 *                     {@code official} (gen_segmentation.py as coded)
 */
public record MaskDistillConfig(String backbone, int width, int clusters, int epochs, int batch, int size, double lr,
                                double momentum, double weightDecay, int lrStepEpoch, double hardFraction, double tau,
                                boolean freezeEarlyLayers, long seed, String pretrained, String detector, String paint) {
    public MaskDistillConfig {
        if (clusters < 1) throw new IllegalArgumentException("maskdistill: clusters must be >= 1, got " + clusters);
        if (batch < 1 || epochs < 1) throw new IllegalArgumentException("maskdistill: batch and epochs must be >= 1");
        if (hardFraction <= 0 || hardFraction > 1) throw new IllegalArgumentException("maskdistill: hard_fraction must be in (0, 1], got " + hardFraction);
        if (pretrained == null) pretrained = "";
        if (detector == null) detector = "maskrcnn";
        if (paint == null) paint = "paper";
        if (!detector.equals("maskrcnn") && !detector.equals("prior")) throw new IllegalArgumentException("maskdistill.detector must be maskrcnn or prior, got '" + detector + "'");
        PseudoMaps.Rule.parse(paint);
    }

    public static MaskDistillConfig official() {
        return new MaskDistillConfig("resnet50", 256, 20, 45, 16, 512, 0.002, 0.9, 1e-4, 40, 0.2, 0.9, true, 1, "", "maskrcnn", "paper");
    }

    public static MaskDistillConfig demo() {
        return new MaskDistillConfig("small", 64, 4, 15, 16, 0, 0.05, 0.9, 1e-4, 12, 0.2, 0.9, false, 1, "", "maskrcnn", "paper");
    }

    /** Whether the pseudo maps come from a trained Mask R-CNN. */
    public boolean usesDetector() { return detector.equals("maskrcnn"); }

    public MaskDistillConfig withDetector(String d) {
        return new MaskDistillConfig(backbone, width, clusters, epochs, batch, size, lr, momentum, weightDecay, lrStepEpoch, hardFraction, tau,
                freezeEarlyLayers, seed, pretrained, d, paint);
    }

    public MaskDistillConfig withEpochs(int e) {
        return new MaskDistillConfig(backbone, width, clusters, e, batch, size, lr, momentum, weightDecay, Math.min(lrStepEpoch, e), hardFraction, tau,
                freezeEarlyLayers, seed, pretrained, detector, paint);
    }
}
