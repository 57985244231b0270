package dev.maskseg.pipeline.instances;

import java.util.List;

/** Greedy matching of one image and category at every IoU threshold, as {@code COCOeval.evaluateImg}. */
final class Matching {
    /** A ground truth (crowd = its {@code iscrowd}) or a detection (crowd false). */
    record Item(long id, double score, double area, boolean crowd) {}

    private Matching() {}

    /**
     * @param gts  ground truths in file order
     * @param dts  detections sorted by descending score (stable), at most the largest max-detections
     * @param ious {@code [dt][gt]} with ground truths in file order; may be empty when either side is
     */
    static ImageEval evaluate(List<Item> gts, List<Item> dts, double[][] ious, double[] areaRange) {
        int g0 = gts.size(), d0 = dts.size(), tCount = EvalParams.IOU_THRESHOLDS.length;
        // ground truths: crowds and those outside the area range are ignored, and go last (stable)
        int[] order = new int[g0];
        boolean[] ignored = new boolean[g0];
        int n = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int g = 0; g < g0; g++) {
                Item it = gts.get(g);
                boolean ign = it.crowd() || it.area() < areaRange[0] || it.area() > areaRange[1];
                if (ign == (pass == 1)) {
                    ignored[n] = ign;
                    order[n++] = g;
                }
            }
        }
        long[][] gtMatch = new long[tCount][g0];
        long[][] dtMatch = new long[tCount][d0];
        boolean[][] dtIgnored = new boolean[tCount][d0];
        if (g0 > 0 && d0 > 0) {
            for (int t = 0; t < tCount; t++) {
                for (int d = 0; d < d0; d++) {
                    double best = Math.min(EvalParams.IOU_THRESHOLDS[t], 1 - 1e-10);
                    int m = -1;
                    for (int g = 0; g < g0; g++) {
                        Item gt = gts.get(order[g]);
                        if (gtMatch[t][g] > 0 && !gt.crowd()) continue; // taken, and not a crowd
                        if (m > -1 && !ignored[m] && ignored[g]) break; // matched a counted one; only ignored ones remain
                        double iou = ious[d][order[g]];
                        if (iou < best) continue;
                        best = iou;
                        m = g;
                    }
                    if (m == -1) continue;
                    dtIgnored[t][d] = ignored[m];
                    dtMatch[t][d] = gts.get(order[m]).id();
                    gtMatch[t][m] = dts.get(d).id();
                }
            }
        }
        double[] scores = new double[d0];
        boolean[][] matched = new boolean[tCount][d0];
        for (int d = 0; d < d0; d++) {
            Item dt = dts.get(d);
            scores[d] = dt.score();
            boolean outside = dt.area() < areaRange[0] || dt.area() > areaRange[1];
            for (int t = 0; t < tCount; t++) {
                // as pycocotools: a match to a ground truth whose id is 0 reads as no match
                matched[t][d] = dtMatch[t][d] != 0;
                dtIgnored[t][d] |= !matched[t][d] && outside;
            }
        }
        return new ImageEval(scores, matched, dtIgnored, ignored);
    }
}
