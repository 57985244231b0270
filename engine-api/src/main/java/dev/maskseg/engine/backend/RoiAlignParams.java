package dev.maskseg.engine.backend;

/**
 * Geometry of RoIAlign (torchvision {@code roi_align}): an outH x outW grid per box, box coordinates times
 * {@code spatialScale}, {@code samplingRatio} samples per bin along each axis (0: adaptive, ceil(box / bins)), and
 * {@code aligned} (ROIAlignV2: shift by half a pixel, no minimum box size; docs/methods.md §3.4).
 */
public record RoiAlignParams(int outH, int outW, double spatialScale, int samplingRatio, boolean aligned) {
    public RoiAlignParams {
        if (outH <= 0 || outW <= 0) throw new IllegalArgumentException("roi_align: output size " + outH + "x" + outW);
        if (samplingRatio < 0) throw new IllegalArgumentException("roi_align: sampling ratio " + samplingRatio + " < 0");
        if (!(spatialScale > 0) || Double.isInfinite(spatialScale)) {
            throw new IllegalArgumentException("roi_align: spatial scale " + spatialScale + " must be positive and finite");
        }
    }
}
