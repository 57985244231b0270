package dev.maskseg.pipeline.instances;

import java.util.Arrays;
import java.util.List;

/**
 * Precision {@code [T][R][K][A][M]} and recall {@code [T][K][A][M]} over all images, as {@code COCOeval.accumulate}:
 * detections of all images sorted by score (stable, images in id order), cumulative true/false positives, the
 * precision envelope, and precision read at the 101 recall thresholds ({@code searchsorted(..., 'left')}); -1 where a
 * category has no image or no counted ground truth.
 */
record Accumulation(double[][][][][] precision, double[][][][] recall) {
    private static final double EPS = Math.ulp(1.0); // np.spacing(1)

    /** @param evals {@code [k][a]}: the image evaluations of category k and area range a, in image-id order */
    static Accumulation of(List<ImageEval>[][] evals) {
        int tCount = EvalParams.IOU_THRESHOLDS.length, rCount = EvalParams.RECALL_THRESHOLDS.length;
        int kCount = evals.length, aCount = EvalParams.AREA_RANGES.length, mCount = EvalParams.MAX_DETS.length;
        double[][][][][] precision = new double[tCount][rCount][kCount][aCount][mCount];
        double[][][][] recall = new double[tCount][kCount][aCount][mCount];
        for (double[][][][] a : precision) for (double[][][] b : a) for (double[][] c : b) for (double[] d : c) Arrays.fill(d, -1);
        for (double[][][] a : recall) for (double[][] b : a) for (double[] c : b) Arrays.fill(c, -1);
        for (int k = 0; k < kCount; k++) {
            for (int a = 0; a < aCount; a++) {
                List<ImageEval> images = evals[k][a];
                if (images.isEmpty()) continue;
                for (int m = 0; m < mCount; m++) {
                    int maxDet = EvalParams.MAX_DETS[m];
                    int npig = 0, total = 0;
                    for (ImageEval e : images) {
                        npig += e.counted();
                        total += Math.min(maxDet, e.detections());
                    }
                    if (npig == 0) continue;
                    double[] scores = new double[total];
                    int[] image = new int[total], index = new int[total];
                    int n = 0;
                    for (int i = 0; i < images.size(); i++) {
                        ImageEval e = images.get(i);
                        for (int d = 0; d < Math.min(maxDet, e.detections()); d++) {
                            scores[n] = e.dtScores()[d];
                            image[n] = i;
                            index[n++] = d;
                        }
                    }
                    Integer[] order = new Integer[total];
                    for (int i = 0; i < total; i++) order[i] = i;
                    // stable, descending: numpy argsort(-scores, kind='mergesort')
                    Arrays.sort(order, (x, y) -> scores[x] > scores[y] ? -1 : scores[x] < scores[y] ? 1 : 0);
                    for (int t = 0; t < tCount; t++) {
                        double[] rc = new double[total], pr = new double[total];
                        double tp = 0, fp = 0;
                        for (int j = 0; j < total; j++) {
                            ImageEval e = images.get(image[order[j]]);
                            int d = index[order[j]];
                            if (!e.dtIgnored()[t][d]) {
                                if (e.dtMatched()[t][d]) tp++;
                                else fp++;
                            }
                            rc[j] = tp / npig;
                            pr[j] = tp / (fp + tp + EPS);
                        }
                        recall[t][k][a][m] = total > 0 ? rc[total - 1] : 0;
                        for (int i = total - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
                        int pi = 0;
                        for (int r = 0; r < rCount; r++) {
                            double thr = EvalParams.RECALL_THRESHOLDS[r];
                            while (pi < total && rc[pi] < thr) pi++; // first index with rc >= thr
                            precision[t][r][k][a][m] = pi < total ? pr[pi] : 0;
                            if (pi >= total) for (int rr = r + 1; rr < rCount; rr++) precision[t][rr][k][a][m] = 0;
                            if (pi >= total) break;
                        }
                    }
                }
            }
        }
        return new Accumulation(precision, recall);
    }
}
