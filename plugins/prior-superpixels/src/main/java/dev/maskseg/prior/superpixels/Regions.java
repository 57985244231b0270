package dev.maskseg.prior.superpixels;

import dev.maskseg.prior.PriorResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Label map to masks: one per region, largest first (ties: lower label), score = area fraction. */
final class Regions {
    private Regions() {}

    static PriorResult masks(int[] labels, int w, int h, double minArea) {
        int k = Labels.count(labels);
        long[] area = new long[k];
        for (int l : labels) area[l]++;
        List<Integer> keep = new ArrayList<>();
        for (int l = 0; l < k; l++) if (area[l] >= minArea * w * h && area[l] > 0) keep.add(l);
        keep.sort(Comparator.<Integer>comparingLong(l -> -area[l]).thenComparing(l -> l));
        List<PriorResult.Mask> out = new ArrayList<>();
        for (int l : keep) {
            byte[] px = new byte[w * h];
            for (int i = 0; i < px.length; i++) if (labels[i] == l) px[i] = 1;
            out.add(new PriorResult.Mask(w, h, px, (double) area[l] / (w * h)));
        }
        return new PriorResult(out);
    }
}
