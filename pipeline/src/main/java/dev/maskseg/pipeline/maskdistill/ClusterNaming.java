package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.Hungarian;
import dev.maskseg.pipeline.eval.Miou;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MaskDistill's naming of the mask clusters (docs/methods.md §3.3 step 6, {@code utils/cluster.py}): each mask's target
 * is a ground-truth class ({@link GroundTruthBoxes}); with as many clusters as classes, a count-based Hungarian matching
 * of clusters to targets ({@code _hungarian_match}: maximise the masks whose target is their cluster's class), with
 * over-clustering a count-based many-to-one majority ({@code _majority_match}; equal counts to the lower class, where
 * the official Counter takes the first seen). The GT only names clusters: one global map, computed once.
 *
 * @param method   {@code hungarian} or {@code majority-count}
 * @param matching cluster → class (0-based)
 * @param targeted masks that had a target (an image without boxes gives none)
 */
public record ClusterNaming(String method, Map<Integer, Integer> matching, int targeted) {
    /** {@code cluster[i]} and {@code target[i]} (-1: none) of every mask; k clusters, {@code classes} classes. */
    public static ClusterNaming of(int[] cluster, int[] target, int k, int classes) {
        Confusion counts = new Confusion(classes, -1);
        counts.add(cluster, target);
        int targeted = (int) counts.total();
        Map<Integer, Integer> m = new LinkedHashMap<>();
        if (k == classes) {
            double[][] c = new double[k][classes];
            for (int p = 0; p < Math.min(k, counts.predictedLabels()); p++) for (int g = 0; g < classes; g++) c[p][g] = counts.count(p, g);
            int[] a = Hungarian.maximize(c);
            for (int p = 0; p < k; p++) m.put(p, a[p]);
            return new ClusterNaming("hungarian", m, targeted);
        }
        if (k < classes) throw new IllegalArgumentException("cluster naming: " + k + " clusters for " + classes + " classes; over-clustering only adds clusters");
        Map<Integer, Integer> votes = Miou.match(counts, Miou.Matching.MAJORITY_COUNT);
        for (int p = 0; p < k; p++) m.put(p, votes.getOrDefault(p, 0));
        return new ClusterNaming("majority-count", m, targeted);
    }

    /** The class a cluster is named. */
    public int classOf(int cluster) { return matching.get(cluster); }
}
