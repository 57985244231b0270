package dev.maskseg.pipeline.maskdistill;

/**
 * MaskDistill's final segmentation stage (docs/methods.md §3.6) and its CRF self-training rounds (§3.7). {@link #official()}
 * mirrors {@code segmentation/configs/multi_obj/deeplab.yml}; {@link #demo()} is a small setting for generated scenes.
 *
 * @param backbone     {@code resnet50} (DeepLab-v3, dilated ResNet-50) or {@code small}
 * @param clusters     mask clusters C; the network predicts C + 1 labels (0 = background)
 * @param size         training images are resized to size x size (official 512)
 * @param lrStepEpoch  the lr is multiplied by 0.1 for the epochs after this 0-based epoch index (official 40 of 45: epochs 41..44)
 * @param hardFraction top fraction of pixels whose CE is averaged (hard pixel mining, official 0.2)
 * @param tau          confidence threshold for scored candidates (§3.5, official 0.9)
 * @param pretrained   MoCo/torchvision ResNet-50 weights for the resnet50 backbone; empty: random init
 * @param crfRounds    CRF self-training rounds after the first training (§3.7, {@code train_plus_crf.sh}: 1): each predicts the
 *                     train split with the CRF and trains a fresh network on those maps
 * @param detector     whose scored candidates become the pseudo maps (§3.4–3.5): {@code maskrcnn} (the method: a Mask R-CNN
 *                     trained on the clustered masks, the {@code maskrcnn:} section) or {@code prior} (the prior's own
 *                     masks and scores, without a detector)
 * @param paint        how overlapping candidates are painted (§3.5): {@code paper} (a painted pixel is never overwritten) or
 *                     {@code official} (gen_segmentation.py as coded)
 */
public record MaskDistillConfig(String backbone, int width, int clusters, int epochs, int batch, int size, double lr,
                                double momentum, double weightDecay, int lrStepEpoch, double hardFraction, double tau,
                                boolean freezeEarlyLayers, long seed, String pretrained, int crfRounds, String detector, String paint) {
    public MaskDistillConfig {
        if (clusters < 1) throw new IllegalArgumentException("maskdistill: clusters must be >= 1, got " + clusters);
        if (batch < 1 || epochs < 1) throw new IllegalArgumentException("maskdistill: batch and epochs must be >= 1");
        if (width < 1 || size < 0 || lrStepEpoch < 0) throw new IllegalArgumentException("maskdistill: width must be >= 1 and size, lr_step_epoch >= 0");
        if (!(lr > 0)) throw new IllegalArgumentException("maskdistill: lr must be > 0, got " + lr);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("maskdistill: momentum must be in [0, 1), got " + momentum);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("maskdistill: weight_decay must be >= 0, got " + weightDecay);
        if (!(tau >= 0 && tau <= 1)) throw new IllegalArgumentException("maskdistill: tau must be in [0, 1], got " + tau);
        if (!(hardFraction > 0) || hardFraction > 1) throw new IllegalArgumentException("maskdistill: hard_fraction must be in (0, 1], got " + hardFraction);
        if (pretrained == null) pretrained = "";
        if (crfRounds < 0) throw new IllegalArgumentException("maskdistill: crf_rounds must be >= 0, got " + crfRounds);
        if (detector == null) detector = "maskrcnn";
        if (paint == null) paint = "paper";
        if (!detector.equals("maskrcnn") && !detector.equals("prior")) throw new IllegalArgumentException("maskdistill.detector must be maskrcnn or prior, got '" + detector + "'");
        PseudoMaps.Rule.parse(paint);
    }

    public static MaskDistillConfig official() {
        return new MaskDistillConfig("resnet50", 256, 20, 45, 16, 512, 0.002, 0.9, 1e-4, 40, 0.2, 0.9, true, 1, "", 0, "maskrcnn", "paper");
    }

    public static MaskDistillConfig demo() {
        return new MaskDistillConfig("small", 64, 4, 15, 16, 0, 0.05, 0.9, 1e-4, 11, 0.2, 0.9, false, 1, "", 0, "maskrcnn", "paper");
    }

    public MaskDistillConfig withEpochs(int e) {
        return new MaskDistillConfig(backbone, width, clusters, e, batch, size, lr, momentum, weightDecay, Math.min(lrStepEpoch, e), hardFraction, tau,
                freezeEarlyLayers, seed, pretrained, crfRounds, detector, paint);
    }

    /** Whether the pseudo maps come from a trained Mask R-CNN. */
    public boolean usesDetector() { return detector.equals("maskrcnn"); }

    public MaskDistillConfig withCrfRounds(int rounds) {
        return new MaskDistillConfig(backbone, width, clusters, epochs, batch, size, lr, momentum, weightDecay, lrStepEpoch, hardFraction, tau,
                freezeEarlyLayers, seed, pretrained, rounds, detector, paint);
    }

    /** The network with C + 1 outputs for {@code labels} = C + 1 labels (over-clustering without naming changes C). */
    public MaskDistillConfig withLabels(int labels) {
        return new MaskDistillConfig(backbone, width, labels - 1, epochs, batch, size, lr, momentum, weightDecay, lrStepEpoch, hardFraction, tau,
                freezeEarlyLayers, seed, pretrained, crfRounds, detector, paint);
    }

    /** What a checkpoint's weights depend on: everything but the number of CRF rounds (a run may add rounds on resume). */
    public String trainingIdentity() { return withCrfRounds(0).toString(); }
}
