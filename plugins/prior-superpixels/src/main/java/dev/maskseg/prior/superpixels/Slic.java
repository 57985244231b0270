package dev.maskseg.prior.superpixels;

import dev.maskseg.prior.image.Rgb;

import java.util.Arrays;

/**
 * SLIC superpixels (Achanta et al. 2012; docs/methods.md §4.5) on CIE-Lab: seeds on a regular grid of step
 * S = sqrt(HW/K), each moved to the lowest-gradient pixel of its 3x3 neighbourhood; {@code iterations} rounds of
 * assignment within a 2S x 2S window by sqrt(d_lab² + (d_xy/S)²·m²) and centre updates; then connectivity
 * enforcement: every 4-connected piece smaller than S²/4 joins the label of a neighbouring piece.
 */
public final class Slic {
    private Slic() {}

    /** Labels 0..n-1, row-major, for interleaved 8-bit RGB pixels. */
    public static int[] segment(int[] rgb, int w, int h, int segments, double compactness, int iterations) {
        if (segments < 1) throw new IllegalArgumentException("slic: segments must be >= 1, got " + segments);
        float[] lab = Rgb.lab(rgb);
        double step = Math.sqrt((double) w * h / segments);
        int nx = Math.max(1, (int) Math.round(w / step)), ny = Math.max(1, (int) Math.round(h / step));
        int k = nx * ny;
        double[] c = new double[k * 5]; // L, a, b, x, y
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) {
                int x = Math.min(w - 1, (int) ((i + 0.5) * w / nx)), y = Math.min(h - 1, (int) ((j + 0.5) * h / ny));
                int best = lowestGradient(lab, w, h, x, y);
                int o = (j * nx + i) * 5;
                c[o] = lab[3 * best];
                c[o + 1] = lab[3 * best + 1];
                c[o + 2] = lab[3 * best + 2];
                c[o + 3] = best % w;
                c[o + 4] = best / w;
            }
        }
        int[] label = new int[w * h];
        Arrays.fill(label, -1);
        double[] dist = new double[w * h];
        double spatial = compactness * compactness / (step * step);
        int window = (int) Math.ceil(step);
        for (int it = 0; it < iterations; it++) {
            Arrays.fill(dist, Double.POSITIVE_INFINITY);
            for (int s = 0; s < k; s++) {
                int o = s * 5;
                int cx = (int) Math.round(c[o + 3]), cy = (int) Math.round(c[o + 4]);
                for (int y = Math.max(0, cy - window); y < Math.min(h, cy + window + 1); y++) {
                    for (int x = Math.max(0, cx - window); x < Math.min(w, cx + window + 1); x++) {
                        int p = y * w + x;
                        double dl = lab[3 * p] - c[o], da = lab[3 * p + 1] - c[o + 1], db = lab[3 * p + 2] - c[o + 2];
                        double dx = x - c[o + 3], dy = y - c[o + 4];
                        double d = dl * dl + da * da + db * db + (dx * dx + dy * dy) * spatial;
                        if (d < dist[p]) {
                            dist[p] = d;
                            label[p] = s;
                        }
                    }
                }
            }
            double[] sum = new double[k * 5];
            int[] count = new int[k];
            for (int p = 0; p < w * h; p++) {
                int s = label[p];
                if (s < 0) continue;
                sum[s * 5] += lab[3 * p];
                sum[s * 5 + 1] += lab[3 * p + 1];
                sum[s * 5 + 2] += lab[3 * p + 2];
                sum[s * 5 + 3] += p % w;
                sum[s * 5 + 4] += p / w;
                count[s]++;
            }
            for (int s = 0; s < k; s++) {
                if (count[s] == 0) continue;
                for (int f = 0; f < 5; f++) c[s * 5 + f] = sum[s * 5 + f] / count[s];
            }
        }
        return Labels.enforceConnectivity(label, w, h, Math.max(1, (int) (step * step / 4)));
    }

    private static int lowestGradient(float[] lab, int w, int h, int x, int y) {
        int best = y * w + x;
        double bestG = Double.POSITIVE_INFINITY;
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int px = x + dx, py = y + dy;
                if (px < 1 || py < 1 || px >= w - 1 || py >= h - 1) continue;
                double g = sq(lab, py * w + px + 1, py * w + px - 1) + sq(lab, (py + 1) * w + px, (py - 1) * w + px);
                if (g < bestG) {
                    bestG = g;
                    best = py * w + px;
                }
            }
        }
        return best;
    }

    private static double sq(float[] lab, int p, int q) {
        double s = 0;
        for (int ch = 0; ch < 3; ch++) {
            double d = lab[3 * p + ch] - lab[3 * q + ch];
            s += d * d;
        }
        return s;
    }
}
