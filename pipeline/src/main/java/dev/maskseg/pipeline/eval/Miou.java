package dev.maskseg.pipeline.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/** Dataset-level mIoU after matching predicted labels to classes once (docs/methods.md §1.5). */
public final class Miou {
    /**
     * How predicted labels are matched to classes (docs/design.md §4, §4b): IoU-based Hungarian (one to one), MaskContrast's
     * IoU-based many-to-one majority vote, MaskDistill's count-based one ({@code cluster.py}'s {@code _majority_match}),
     * or none (labels are classes already). Both majority votes break ties to the lower class.
     */
    public enum Matching {
        HUNGARIAN, MAJORITY, MAJORITY_COUNT, NONE;

        /** The name on the command line: hungarian, majority, majority-count, none. */
        public String cliName() { return name().toLowerCase().replace('_', '-'); }

        /** A command-line name; anything else is an error listing the names. */
        public static Matching parse(String s) {
            for (Matching m : values()) if (m.cliName().equals(s)) return m;
            throw new IllegalArgumentException("matching must be hungarian, majority, majority-count or none, got '" + s + "'");
        }
    }

    /** matching: predicted label → class (absent: unmatched, its pixels count as misses). */
    public record Result(double miou, double pixelAccuracy, double[] perClassIou, Map<Integer, Integer> matching) {}

    private Miou() {}

    public static Map<Integer, Integer> match(Confusion c, Matching how) {
        Map<Integer, Integer> m = new LinkedHashMap<>();
        int kp = c.predictedLabels(), k = c.classes();
        switch (how) {
            case NONE -> {
                for (int p = 0; p < Math.min(kp, k); p++) m.put(p, p);
            }
            case HUNGARIAN -> {
                int[] a = Hungarian.maximize(c.iou());
                for (int p = 0; p < kp; p++) if (a[p] >= 0) m.put(p, a[p]);
            }
            case MAJORITY -> {
                double[][] iou = c.iou();
                for (int p = 0; p < kp; p++) {
                    int best = 0;
                    for (int g = 1; g < k; g++) if (iou[p][g] > iou[p][best]) best = g; // ties: lower class
                    m.put(p, best);
                }
            }
            case MAJORITY_COUNT -> {
                for (int p = 0; p < kp; p++) {
                    int best = 0;
                    for (int g = 1; g < k; g++) if (c.count(p, g) > c.count(p, best)) best = g; // ties: lower class
                    m.put(p, best);
                }
            }
        }
        return m;
    }

    public static Result evaluate(Confusion c, Matching how) {
        Map<Integer, Integer> m = match(c, how);
        int k = c.classes();
        long[] tp = new long[k], fp = new long[k], fn = new long[k];
        long correct = 0, total = 0;
        for (int p = 0; p < c.predictedLabels(); p++) {
            Integer mapped = m.get(p);
            for (int g = 0; g < k; g++) {
                long n = c.count(p, g);
                if (n == 0) continue;
                total += n;
                if (mapped != null && mapped == g) {
                    tp[g] += n;
                    correct += n;
                } else {
                    fn[g] += n;
                    if (mapped != null) fp[mapped] += n;
                }
            }
        }
        double[] iou = new double[k];
        double sum = 0;
        for (int g = 0; g < k; g++) {
            iou[g] = tp[g] / Math.max(tp[g] + fp[g] + fn[g], 1e-8);
            sum += iou[g];
        }
        return new Result(sum / k, total == 0 ? 0 : (double) correct / total, iou, m);
    }
}
