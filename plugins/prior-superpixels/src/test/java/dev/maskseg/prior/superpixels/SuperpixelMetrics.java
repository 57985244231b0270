package dev.maskseg.prior.superpixels;

import java.util.HashMap;
import java.util.Map;

/** The metrics of tools/gen_superpixel_fixtures.py, computed the same way. */
final class SuperpixelMetrics {
    private SuperpixelMetrics() {}

    static boolean[] boundaries(int[] lab, int w, int h) {
        boolean[] b = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                if (x < w - 1 && lab[p] != lab[p + 1]) b[p] = b[p + 1] = true;
                if (y < h - 1 && lab[p] != lab[p + w]) b[p] = b[p + w] = true;
            }
        }
        return b;
    }

    /** Fraction of ground-truth boundary pixels with a superpixel boundary pixel within {@code tol} (Chebyshev). */
    static double boundaryRecall(int[] sp, int[] gt, int w, int h, int tol) {
        boolean[] gb = boundaries(gt, w, h), sb = boundaries(sp, w, h);
        int hit = 0, total = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!gb[y * w + x]) continue;
                total++;
                search:
                for (int dy = -tol; dy <= tol; dy++) {
                    for (int dx = -tol; dx <= tol; dx++) {
                        int nx = x + dx, ny = y + dy;
                        if (nx >= 0 && ny >= 0 && nx < w && ny < h && sb[ny * w + nx]) {
                            hit++;
                            break search;
                        }
                    }
                }
            }
        }
        return (double) hit / total;
    }

    /** Neubert-Protzel: (1/N) Σ_gt Σ_sp∩gt≠∅ min(|sp ∩ gt|, |sp \ gt|). */
    static double undersegmentation(int[] sp, int[] gt) {
        Map<Long, Long> overlap = new HashMap<>();
        Map<Integer, Long> spArea = new HashMap<>();
        for (int i = 0; i < sp.length; i++) {
            overlap.merge(((long) gt[i] << 32) | sp[i], 1L, Long::sum);
            spArea.merge(sp[i], 1L, Long::sum);
        }
        double total = 0;
        for (var e : overlap.entrySet()) {
            int s = (int) (e.getKey() & 0xffffffffL);
            total += Math.min(e.getValue(), spArea.get(s) - e.getValue());
        }
        return total / sp.length;
    }
}
