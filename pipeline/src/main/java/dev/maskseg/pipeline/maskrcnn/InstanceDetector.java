package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.pipeline.data.Sample;

import java.util.List;

/**
 * Scored instance candidates of one image (docs/methods.md §3.4–3.5): a trained Mask R-CNN ({@link MaskRcnnDetector}), or
 * a mask prior's own candidates standing in for it.
 */
public interface InstanceDetector {
    /**
     * One candidate at the image's own size: box (x1, y1, x2, y2) in pixels, score, class index (0-based), and its
     * row-major 0/1 mask.
     */
    record Detection(float[] box, float score, int classIndex, byte[] mask) {}

    /** The image's candidates by descending score (ties in the detector's own order). */
    List<Detection> detect(Sample image);

    /** The COCO category id of each class index. */
    long categoryId(int classIndex);
}
