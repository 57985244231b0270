package dev.maskseg.pipeline.instances;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Detections ready for evaluation: ids, areas and the missing segmentation/box filled in as pycocotools does. */
public final class Detections {
    /** One detection; {@code bbox} is set, {@code segmentation} too except for box-only predictions of the single-object protocol. */
    public record Detection(long id, ImageId imageId, long categoryId, double score, double area, Segmentation segmentation, double[] bbox) {}

    private Detections() {}

    /**
     * pycocotools' {@code COCO.loadRes}: every result must be on an image of the ground truth; ids are 1, 2, ...
     * in file order. Its first result decides the branch for all: when it has a non-empty {@code bbox}, every area
     * is the box's w*h and a missing segmentation becomes the box polygon (this holds for segm evaluation of
     * detectron2's results too, which carry boxes); otherwise every area is the mask's pixel count and a missing box
     * is the mask's bounding box. (pycocotools reads only compressed RLEs in that second branch; here any
     * segmentation is rasterised first.) An empty list gives no detections (pycocotools fails on it).
     */
    public static List<Detection> fromResults(CocoDataset gt, List<CocoResult> results) {
        Map<ImageId, CocoDataset.Image> images = gt.imagesById();
        List<Detection> out = new ArrayList<>(results.size());
        if (results.isEmpty()) return out;
        boolean boxBranch = results.get(0).bbox() != null && results.get(0).bbox().length > 0;
        if (!boxBranch && results.get(0).segmentation() == null) throw new IllegalArgumentException("result [0] has neither 'bbox' nor 'segmentation'");
        for (int i = 0; i < results.size(); i++) {
            CocoResult r = results.get(i);
            CocoDataset.Image image = images.get(r.imageId());
            if (image == null) throw new IllegalArgumentException("result [" + i + "] is on image " + r.imageId() + ", which the ground truth does not have");
            try {
                if (boxBranch) {
                    double[] b = requireBox(r.bbox());
                    Segmentation seg = r.segmentation() != null ? r.segmentation()
                            : new Segmentation.PolygonList(List.of(new double[]{b[0], b[1], b[0], b[1] + b[3], b[0] + b[2], b[1] + b[3], b[0] + b[2], b[1]}));
                    out.add(new Detection(i + 1, r.imageId(), r.categoryId(), r.score(), b[2] * b[3], seg, b));
                } else {
                    if (r.segmentation() == null) throw new IllegalArgumentException("has no 'segmentation' (the first result set the segmentation branch)");
                    Rle rle = rasterise(r.segmentation(), image);
                    double[] box = r.bbox() != null && r.bbox().length > 0 ? requireBox(r.bbox()) : rle.toBbox();
                    out.add(new Detection(i + 1, r.imageId(), r.categoryId(), r.score(), rle.area(), r.segmentation(), box));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("result [" + i + "] on image " + r.imageId() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The mask of a segmentation on an image (polygons need the image's size). */
    static Rle rasterise(Segmentation s, CocoDataset.Image image) {
        if (s instanceof Segmentation.PolygonList && (image.height() < 0 || image.width() < 0)) {
            throw new IllegalArgumentException("image " + image.id() + " has no width/height, needed to rasterise polygons");
        }
        return s.toRle(image.height(), image.width());
    }

    static double[] requireBox(double[] b) {
        if (b == null || b.length != 4) throw new IllegalArgumentException("'bbox' must be [x, y, w, h]");
        return b;
    }
}
