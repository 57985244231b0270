package dev.maskseg.pipeline.instances;

/**
 * One detection of a COCO results file. {@code segmentation} or {@code bbox} may be null when the file does not give
 * them (pycocotools' {@code loadRes} derives the missing one; see {@link Detections#fromResults}).
 */
public record CocoResult(ImageId imageId, long categoryId, double score, Segmentation segmentation, double[] bbox) {
    public CocoResult withCategory(long category) { return new CocoResult(imageId, category, score, segmentation, bbox); }
}
