package dev.maskseg.pipeline.instances;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Instance-segmentation and box evaluation with pycocotools' {@code COCOeval} semantics (iouType segm or bbox,
 * default parameters): images and categories of the ground truth in sorted id order; a ground truth is ignored
 * when it is a crowd ({@code iscrowd}; a file's own {@code ignore} flag is overwritten by pycocotools and so has no
 * effect here either) or its {@code area} is outside the range; detections sorted by score per image (stable), at
 * most 100; matching, accumulation and the 12 summary numbers as there. See {@link Detections#fromResults} for how a
 * results file is read, {@link SingleObject} for MaskDistill's single-object protocol.
 */
public final class CocoEval {
    public enum IouType {
        SEGM, BBOX;

        public static IouType parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "segm" -> SEGM;
                case "bbox" -> BBOX;
                default -> throw new IllegalArgumentException("iou type must be segm or bbox, got '" + s + "'");
            };
        }
    }

    /**
     * @param classAgnostic every ground truth and detection in one category ({@link #AGNOSTIC_CATEGORY}) before
     *                      evaluation, as MaskDistill's class-agnostic files (not pycocotools' useCats=0)
     * @param singleObject  MaskDistill's {@code eval_instances.py --eval_most_confident} ({@link SingleObject})
     */
    public record Options(IouType iouType, boolean classAgnostic, boolean singleObject) {
        public static Options segm() { return new Options(IouType.SEGM, false, false); }
    }

    /** What was evaluated: the stats, and how many ground truths/detections were left out (image or category not in the ground truth's lists). */
    public record Result(InstanceStats stats, int images, int categories, int groundTruths, int detections, int skippedGroundTruths, int skippedDetections) {}

    public static final long AGNOSTIC_CATEGORY = 1;
    static final String AGNOSTIC_NAME = "object";

    private CocoEval() {}

    /** Ground truth and a results file's detections, with the options' rewrites and selection. */
    public static Result evaluate(CocoDataset gt, List<CocoResult> results, Options options) {
        if (options.classAgnostic()) {
            gt = gt.classAgnostic(AGNOSTIC_CATEGORY, AGNOSTIC_NAME);
            List<CocoResult> rewritten = new ArrayList<>(results.size());
            for (CocoResult r : results) rewritten.add(r.withCategory(AGNOSTIC_CATEGORY));
            results = rewritten;
        }
        if (options.singleObject()) {
            SingleObject.Selection s = SingleObject.select(gt, results);
            return evaluate(s.groundTruth(), s.detections(), options.iouType());
        }
        return evaluate(gt, Detections.fromResults(gt, results), options.iouType());
    }

    /** {@code evaluate(); accumulate(); summarize()} on prepared detections. */
    public static Result evaluate(CocoDataset gt, List<Detections.Detection> dets, IouType iouType) {
        List<ImageId> imageIds = gt.images().stream().map(CocoDataset.Image::id).sorted().toList();
        List<Long> catIds = gt.categories().stream().map(CocoDataset.Category::id).sorted().toList();
        Map<ImageId, Integer> imageIndex = new java.util.HashMap<>();
        for (int i = 0; i < imageIds.size(); i++) imageIndex.put(imageIds.get(i), i);
        Map<Long, Integer> catIndex = new java.util.HashMap<>();
        for (int k = 0; k < catIds.size(); k++) catIndex.put(catIds.get(k), k);
        Map<ImageId, CocoDataset.Image> images = gt.imagesById();

        TreeMap<Long, Group> groups = new TreeMap<>(); // key k * images + i: categories, then images in id order
        int skippedGt = 0, skippedDt = 0;
        for (CocoDataset.Annotation a : gt.annotations()) {
            Integer i = imageIndex.get(a.imageId()), k = catIndex.get(a.categoryId());
            if (i == null || k == null) skippedGt++;
            else groups.computeIfAbsent((long) k * imageIds.size() + i, key -> new Group()).gts.add(a);
        }
        for (Detections.Detection d : dets) {
            Integer i = imageIndex.get(d.imageId()), k = catIndex.get(d.categoryId());
            if (i == null || k == null) skippedDt++;
            else groups.computeIfAbsent((long) k * imageIds.size() + i, key -> new Group()).dts.add(d);
        }

        int areas = EvalParams.AREA_RANGES.length;
        @SuppressWarnings("unchecked")
        List<ImageEval>[][] evals = new List[catIds.size()][areas];
        for (List<ImageEval>[] row : evals) for (int a = 0; a < areas; a++) row[a] = new ArrayList<>();
        for (Map.Entry<Long, Group> e : groups.entrySet()) {
            int k = (int) (e.getKey() / imageIds.size());
            CocoDataset.Image image = images.get(imageIds.get((int) (e.getKey() % imageIds.size())));
            Group g = e.getValue();
            List<Detections.Detection> sorted = new ArrayList<>(g.dts);
            sorted.sort(BY_SCORE_DESCENDING); // List.sort is stable, as numpy's mergesort
            int maxDet = EvalParams.MAX_DETS[EvalParams.MAX_DETS.length - 1];
            if (sorted.size() > maxDet) sorted = sorted.subList(0, maxDet);
            List<Matching.Item> gtItems = new ArrayList<>(g.gts.size()), dtItems = new ArrayList<>(sorted.size());
            for (CocoDataset.Annotation a : g.gts) gtItems.add(new Matching.Item(a.id(), 0, requireArea(a), requireCrowd(a) != 0));
            for (Detections.Detection d : sorted) dtItems.add(new Matching.Item(d.id(), d.score(), d.area(), false));
            double[][] ious = gtItems.isEmpty() || dtItems.isEmpty() ? new double[0][0] : ious(g.gts, gtItems, sorted, image, iouType);
            for (int a = 0; a < areas; a++) evals[k][a].add(Matching.evaluate(gtItems, dtItems, ious, EvalParams.AREA_RANGES[a]));
        }
        InstanceStats stats = InstanceStats.summarize(Accumulation.of(evals));
        return new Result(stats, imageIds.size(), catIds.size(), gt.annotations().size() - skippedGt, dets.size() - skippedDt, skippedGt, skippedDt);
    }

    private static double[][] ious(List<CocoDataset.Annotation> gts, List<Matching.Item> gtItems, List<Detections.Detection> dts, CocoDataset.Image image, IouType type) {
        boolean[] crowd = new boolean[gts.size()];
        for (int g = 0; g < crowd.length; g++) crowd[g] = gtItems.get(g).crowd();
        if (type == IouType.BBOX) {
            double[][] gb = new double[gts.size()][], db = new double[dts.size()][];
            for (int g = 0; g < gb.length; g++) gb[g] = box(gts.get(g));
            for (int d = 0; d < db.length; d++) db[d] = dts.get(d).bbox();
            return RleOps.boxIou(db, gb, crowd);
        }
        List<Rle> gr = new ArrayList<>(gts.size()), dr = new ArrayList<>(dts.size());
        for (CocoDataset.Annotation a : gts) gr.add(mask(a, image));
        for (Detections.Detection d : dts) {
            if (d.segmentation() == null) throw new IllegalArgumentException("detection " + d.id() + " on image " + image.id() + " has no 'segmentation' (needed for segm evaluation)");
            try {
                dr.add(Detections.rasterise(d.segmentation(), image));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("detection " + d.id() + " on image " + image.id() + ": " + e.getMessage(), e);
            }
        }
        return RleOps.iou(dr, gr, crowd);
    }

    private static Rle mask(CocoDataset.Annotation a, CocoDataset.Image image) {
        if (a.segmentation() == null) throw new IllegalArgumentException("ground truth " + a.id() + " has no 'segmentation' (needed for segm evaluation)");
        try {
            return Detections.rasterise(a.segmentation(), image);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ground truth " + a.id() + " on image " + image.id() + ": " + e.getMessage(), e);
        }
    }

    private static double[] box(CocoDataset.Annotation a) {
        if (a.bbox() == null || a.bbox().length != 4) throw new IllegalArgumentException("ground truth " + a.id() + " needs 'bbox' [x, y, w, h] for bbox evaluation");
        return a.bbox();
    }

    private static double requireArea(CocoDataset.Annotation a) {
        if (Double.isNaN(a.area())) throw new IllegalArgumentException("ground truth " + a.id() + " has no 'area' (area ranges use it)");
        return a.area();
    }

    private static int requireCrowd(CocoDataset.Annotation a) {
        if (a.iscrowd() == null) throw new IllegalArgumentException("ground truth " + a.id() + " has no 'iscrowd'");
        return a.iscrowd();
    }

    /** Descending score with primitive comparisons (so 0.0 and -0.0 tie, as in numpy). */
    static final Comparator<Detections.Detection> BY_SCORE_DESCENDING = (x, y) -> x.score() > y.score() ? -1 : x.score() < y.score() ? 1 : 0;

    private static final class Group {
        final List<CocoDataset.Annotation> gts = new ArrayList<>();
        final List<Detections.Detection> dts = new ArrayList<>();
    }
}
