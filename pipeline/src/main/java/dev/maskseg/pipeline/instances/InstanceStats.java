package dev.maskseg.pipeline.instances;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 12 numbers of {@code COCOeval.summarize()} for boxes and masks, as fractions; -1 where undefined (no counted
 * ground truth in the setting).
 */
public record InstanceStats(double ap, double ap50, double ap75, double apSmall, double apMedium, double apLarge,
                            double ar1, double ar10, double ar100, double arSmall, double arMedium, double arLarge) {
    /** The names used in JSON, in pycocotools' order. */
    public static final String[] NAMES = {"AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"};

    public static InstanceStats of(double[] v) {
        if (v.length != 12) throw new IllegalArgumentException("12 stats expected, got " + v.length);
        return new InstanceStats(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
    }

    public double[] toArray() {
        return new double[]{ap, ap50, ap75, apSmall, apMedium, apLarge, ar1, ar10, ar100, arSmall, arMedium, arLarge};
    }

    /** Name to value, in pycocotools' order. */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        double[] v = toArray();
        for (int i = 0; i < NAMES.length; i++) m.put(NAMES[i], v[i]);
        return m;
    }

    /** {@code _summarizeDets}: means over thresholds and categories of the values that are not -1. */
    static InstanceStats summarize(Accumulation acc) {
        int all = 0, small = 1, medium = 2, large = 3, m1 = 0, m10 = 1, m100 = 2;
        return new InstanceStats(
                precision(acc, -1, all, m100), precision(acc, 0.5, all, m100), precision(acc, 0.75, all, m100),
                precision(acc, -1, small, m100), precision(acc, -1, medium, m100), precision(acc, -1, large, m100),
                recall(acc, all, m1), recall(acc, all, m10), recall(acc, all, m100),
                recall(acc, small, m100), recall(acc, medium, m100), recall(acc, large, m100));
    }

    private static double precision(Accumulation acc, double iouThreshold, int a, int m) {
        double sum = 0;
        long n = 0;
        double[][][][][] p = acc.precision();
        int only = iouThreshold < 0 ? -1 : EvalParams.iouIndex(iouThreshold);
        for (int t = 0; t < p.length; t++) {
            if (iouThreshold >= 0 && t != only) continue;
            for (double[][][] r : p[t]) {
                for (double[][] k : r) {
                    double v = k[a][m];
                    if (v > -1) {
                        sum += v;
                        n++;
                    }
                }
            }
        }
        return n == 0 ? -1 : sum / n;
    }

    private static double recall(Accumulation acc, int a, int m) {
        double sum = 0;
        long n = 0;
        for (double[][][] t : acc.recall()) {
            for (double[][] k : t) {
                double v = k[a][m];
                if (v > -1) {
                    sum += v;
                    n++;
                }
            }
        }
        return n == 0 ? -1 : sum / n;
    }
}
