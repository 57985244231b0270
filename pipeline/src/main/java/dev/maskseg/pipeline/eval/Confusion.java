package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.data.Sample;

import java.io.Serializable;
import java.util.List;

/**
 * Counts of (predicted label, ground-truth class) pixel pairs accumulated over a whole split (docs/methods.md §1.5):
 * pixels whose ground truth is the ignore value are skipped. Predicted labels may exceed the class count
 * (over-clustering); the table grows as needed. Tables of parts of a split (a Spark job's partitions) {@link #addAll add up}.
 */
public final class Confusion implements Serializable {
    private final int classes, ignore;
    private long[][] counts; // [pred][gt]

    public Confusion(int classes, int ignore) {
        this.classes = classes;
        this.ignore = ignore;
        this.counts = new long[classes][classes];
    }

    /** The confusion of one label map per image against the ground truth in each sample's {@link Sample#mask()} (255 = ignore). */
    public static Confusion of(List<int[]> predictions, List<Sample> gt, int classes) {
        Confusion c = new Confusion(classes, 255);
        for (int i = 0; i < gt.size(); i++) {
            byte[] g = gt.get(i).mask();
            int[] labels = new int[g.length];
            for (int q = 0; q < g.length; q++) labels[q] = g[q] & 255;
            c.add(predictions.get(i), labels);
        }
        return c;
    }

    public int classes() { return classes; }

    public int predictedLabels() { return counts.length; }

    public long count(int pred, int gt) { return counts[pred][gt]; }

    /** Pixels counted (ground truth not ignored). */
    public long total() {
        long t = 0;
        for (long[] row : counts) for (long v : row) t += v;
        return t;
    }

    public void add(int[] pred, int[] gt) {
        if (pred.length != gt.length) throw new IllegalArgumentException("confusion: prediction has " + pred.length + " pixels, ground truth " + gt.length);
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i];
            if (g == ignore) continue;
            if (g < 0 || g >= classes) throw new IllegalArgumentException("ground-truth label " + g + " outside 0.." + (classes - 1) + " (ignore " + ignore + ")");
            int p = pred[i];
            if (p < 0) throw new IllegalArgumentException("negative predicted label " + p);
            if (p >= counts.length) grow(p + 1);
            counts[p][g]++;
        }
    }

    /** Adds another table's counts (same classes and ignore value). */
    public void addAll(Confusion other) {
        if (other.classes != classes || other.ignore != ignore) {
            throw new IllegalArgumentException("confusion: adding a table of " + other.classes + " classes (ignore " + other.ignore + ") to one of " + classes + " (ignore " + ignore + ")");
        }
        if (other.counts.length > counts.length) grow(other.counts.length);
        for (int p = 0; p < other.counts.length; p++) for (int g = 0; g < classes; g++) counts[p][g] += other.counts[p][g];
    }

    private void grow(int n) {
        long[][] c = new long[n][];
        for (int i = 0; i < n; i++) c[i] = i < counts.length ? counts[i] : new long[classes];
        counts = c;
    }

    /** IoU between the pixels of predicted label p and those of class g. */
    public double[][] iou() {
        int kp = counts.length;
        long[] np = new long[kp], ng = new long[classes];
        for (int p = 0; p < kp; p++) {
            for (int g = 0; g < classes; g++) {
                np[p] += counts[p][g];
                ng[g] += counts[p][g];
            }
        }
        double[][] m = new double[kp][classes];
        for (int p = 0; p < kp; p++) {
            for (int g = 0; g < classes; g++) {
                long union = np[p] + ng[g] - counts[p][g];
                m[p][g] = union == 0 ? 0 : (double) counts[p][g] / union;
            }
        }
        return m;
    }
}
