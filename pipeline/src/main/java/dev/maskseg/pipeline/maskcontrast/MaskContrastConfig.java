package dev.maskseg.pipeline.maskcontrast;

/**
 * MaskContrast pre-training settings (docs/methods.md §2.4–2.6). {@link #official()} mirrors the official
 * supervised-saliency config; {@link #demo()} is a small setting that trains on 2 cores in minutes.
 *
 * @param backbone {@code resnet50} (the paper's dilated ResNet-50 + DeepLab decoder) or {@code small}
 * @param width      decoder width of the small model
 * @param pretrained backbone weights (torchvision ResNet-50 or a MoCo checkpoint) for the resnet50 backbone; empty: random init
 */
public record MaskContrastConfig(String backbone, int width, int ndim, int epochs, int batch, int queue, int crop,
                                 double lr, String optimizer, double sgdMomentum, double weightDecay, double keyMomentum, double temperature,
                                 boolean freezeEarlyLayers, long seed, String pretrained) {
    public MaskContrastConfig {
        if (batch < 2) throw new IllegalArgumentException("maskcontrast: batch must be >= 2, got " + batch);
        if (queue % batch != 0) throw new IllegalArgumentException("maskcontrast: queue size K=" + queue + " must be a multiple of the batch " + batch);
        if (epochs < 1) throw new IllegalArgumentException("maskcontrast: epochs must be >= 1, got " + epochs);
        if (width < 1 || ndim < 1 || crop < 1) throw new IllegalArgumentException("maskcontrast: width, ndim and crop must be >= 1, got " + width + ", " + ndim + ", " + crop);
        if (!(lr > 0)) throw new IllegalArgumentException("maskcontrast: lr must be > 0, got " + lr);
        if (!(temperature > 0)) throw new IllegalArgumentException("maskcontrast: temperature must be > 0, got " + temperature);
        if (!(sgdMomentum >= 0 && sgdMomentum < 1)) throw new IllegalArgumentException("maskcontrast: sgd_momentum must be in [0, 1), got " + sgdMomentum);
        if (!(keyMomentum >= 0 && keyMomentum <= 1)) throw new IllegalArgumentException("maskcontrast: key_momentum must be in [0, 1], got " + keyMomentum);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("maskcontrast: weight_decay must be >= 0, got " + weightDecay);
        if (pretrained == null) pretrained = "";
        if (!optimizer.equals("sgd") && !optimizer.equals("adamw")) throw new IllegalArgumentException("maskcontrast: optimizer must be sgd or adamw, got '" + optimizer + "'");
    }

    public static MaskContrastConfig official() {
        return new MaskContrastConfig("resnet50", 256, 32, 40, 64, 128, 224, 0.004, "sgd", 0.9, 1e-4, 0.999, 0.5, true, 1, "");
    }

    public static MaskContrastConfig demo() {
        return new MaskContrastConfig("small", 64, 8, 20, 16, 64, 64, 0.1, "sgd", 0.9, 1e-4, 0.9, 0.5, false, 1, "");
    }

    public MaskContrastConfig withEpochs(int e) {
        return new MaskContrastConfig(backbone, width, ndim, e, batch, queue, crop, lr, optimizer, sgdMomentum, weightDecay, keyMomentum, temperature, freezeEarlyLayers, seed, pretrained);
    }

    public MaskContrastConfig withSeed(long s) {
        return new MaskContrastConfig(backbone, width, ndim, epochs, batch, queue, crop, lr, optimizer, sgdMomentum, weightDecay, keyMomentum, temperature, freezeEarlyLayers, s, pretrained);
    }
}
