package dev.maskseg.pipeline.instances;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MaskDistill's single-object protocol ({@code eval_instances.py --eval_most_confident}, docs/methods.md §3.8):
 * <ul>
 *   <li>per image the first highest-scored prediction in file order (a later one replaces it only with a strictly
 *       higher score); its id is its index in the file (from 0) and its area is {@code int(w * h)} of its box;</li>
 *   <li>per such image the one ground-truth instance (any category, crowds included, file order) whose box has the
 *       largest IoU with the prediction's box: boxes as {@code [x1, y1, x2, y2]}, ground-truth corners rounded half
 *       to even, IoU in float32 with the code's 1e-8 terms (as its torch {@code iou_box}), the first maximum wins;</li>
 *   <li>then plain COCO evaluation of those predictions against those instances, over all images of the ground truth
 *       (images without a prediction have no ground truth left, so they count for nothing).</li>
 * </ul>
 * Where the official code fails, this goes on: a prediction without a box uses its mask's bounding box, and a
 * prediction on an image with no ground truth keeps no instance (it stays a false positive). A prediction on an
 * image the ground truth does not have is an error, as there.
 */
public final class SingleObject {
    private static final float EPS = 1e-8f;

    /** The selected ground truth (all images and categories, the chosen instances) and the chosen predictions. */
    public record Selection(CocoDataset groundTruth, List<Detections.Detection> detections) {}

    private SingleObject() {}

    public static Selection select(CocoDataset gt, List<CocoResult> results) {
        Map<ImageId, CocoDataset.Image> images = gt.imagesById();
        Map<ImageId, Integer> best = new LinkedHashMap<>(); // image -> index of its most confident result, first-seen order
        for (int i = 0; i < results.size(); i++) {
            CocoResult r = results.get(i);
            if (!images.containsKey(r.imageId())) throw new IllegalArgumentException("result [" + i + "] is on image " + r.imageId() + ", which the ground truth does not have");
            Integer b = best.get(r.imageId());
            if (b == null || results.get(b).score() < r.score()) best.put(r.imageId(), i);
        }
        Map<ImageId, List<CocoDataset.Annotation>> byImage = gt.annotationsByImage();
        List<Detections.Detection> dets = new ArrayList<>(best.size());
        List<CocoDataset.Annotation> chosen = new ArrayList<>(best.size());
        for (Map.Entry<ImageId, Integer> e : best.entrySet()) {
            int i = e.getValue();
            CocoResult r = results.get(i);
            if (r.segmentation() == null && r.bbox() == null) throw new IllegalArgumentException("result [" + i + "] has neither 'bbox' nor 'segmentation'");
            double[] box;
            try {
                box = r.bbox() != null ? Detections.requireBox(r.bbox()) : Detections.rasterise(r.segmentation(), images.get(e.getKey())).toBbox();
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("result [" + i + "]: " + ex.getMessage(), ex);
            }
            dets.add(new Detections.Detection(i, r.imageId(), r.categoryId(), r.score(), truncate(box[2] * box[3]), r.segmentation(), box));
            List<CocoDataset.Annotation> anns = byImage.getOrDefault(e.getKey(), List.of());
            if (anns.isEmpty()) continue;
            chosen.add(anns.get(largestBoxIou(box, anns)));
        }
        return new Selection(new CocoDataset(gt.images(), chosen, gt.categories()), dets);
    }

    /** The index of the first annotation whose rounded box has the largest float32 IoU with {@code box} ({@code [x, y, w, h]}). */
    static int largestBoxIou(double[] box, List<CocoDataset.Annotation> anns) {
        float px1 = (float) box[0], py1 = (float) box[1], px2 = (float) (box[0] + box[2]), py2 = (float) (box[1] + box[3]);
        int arg = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < anns.size(); j++) {
            double[] b = anns.get(j).bbox();
            if (b == null || b.length != 4) throw new IllegalArgumentException("ground truth " + anns.get(j).id() + " needs 'bbox' [x, y, w, h] for the single-object selection");
            float gx1 = (float) Math.rint(b[0]), gy1 = (float) Math.rint(b[1]), gx2 = (float) Math.rint(b[0] + b[2]), gy2 = (float) Math.rint(b[1] + b[3]);
            float iou = boxIou(px1, py1, px2, py2, gx1, gy1, gx2, gy2);
            if (iou > max || (Float.isNaN(iou) && !Float.isNaN(max))) { // torch.argmax: the first maximum, NaN counts as the maximum
                max = iou;
                arg = j;
                if (Float.isNaN(iou)) break;
            }
        }
        return arg;
    }

    /** MaskDistill's {@code iou_box} in float32, term by term. */
    static float boxIou(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2) {
        float iw = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0f);
        float ih = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0f);
        float inter = iw * ih;
        float w1 = ax2 - ax1, h1 = ay2 - ay1 + EPS;
        float w2 = bx2 - bx1, h2 = by2 - by1 + EPS;
        float union = w1 * h1 + w2 * h2 - inter + EPS;
        return inter / union;
    }

    /** Python's {@code int()} of a float: toward zero. */
    private static double truncate(double v) { return v < 0 ? Math.ceil(v) : Math.floor(v); }
}
