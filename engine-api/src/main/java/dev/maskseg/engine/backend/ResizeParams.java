package dev.maskseg.engine.backend;

/**
 * Interpolation mode and coordinate rule. When scaleH/scaleW are positive they set the source
 * coordinate (PyTorch's scale_factor path, recompute_scale_factor unset); otherwise in/out is used.
 */
public record ResizeParams(Mode mode, boolean alignCorners, double scaleH, double scaleW) {
    public enum Mode { NEAREST, BILINEAR, BICUBIC }
}
