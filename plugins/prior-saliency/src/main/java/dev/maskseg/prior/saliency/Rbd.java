package dev.maskseg.prior.saliency;

import dev.maskseg.prior.image.FloatMaps;
import dev.maskseg.prior.image.Rgb;
import dev.maskseg.prior.superpixels.Labels;
import dev.maskseg.prior.superpixels.Slic;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;

/**
 * RBD saliency (Zhu et al. 2014) as docs/methods.md §4.4.2 with the original code's constants: SLIC superpixels of about
 * 600 px (m = 20), boundary connectivity from geodesic distances, background-weighted contrast, and the quadratic
 * saliency optimization (λ = 5, μ = 0.1).
 */
public final class Rbd {
    static final int PIXELS_PER_SUPERPIXEL = 600, BOUNDARY_BAND = 8;
    static final double COMPACTNESS = 20, SPATIAL_SIGMA = 0.4, BG_LAMBDA = 5, SMOOTH_MU = 0.1;

    private Rbd() {}

    public static float[] saliency(int[] rgb, int w, int h) {
        int[] labels = Slic.segment(rgb, w, h, Math.max(1, (int) Math.round((double) w * h / PIXELS_PER_SUPERPIXEL)), COMPACTNESS, 10);
        Superpixels sp = Superpixels.of(rgb, labels, w, h, BOUNDARY_BAND);
        double[] s = saliency(sp);
        float[] out = new float[w * h];
        for (int i = 0; i < out.length; i++) out[i] = (float) s[labels[i]];
        return FloatMaps.minMax(out);
    }

    static double[] saliency(Superpixels sp) {
        int n = sp.n;
        double[][] col = new double[n][n], pos = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                col[i][j] = dist(sp.lab, i, j, 3);
                pos[i][j] = dist(sp.pos, i, j, 2);
            }
        }
        boolean[][] ring1 = new boolean[n][n], ring2 = new boolean[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) ring1[i][j] = i != j && sp.adjacency[i][j] > 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (!ring1[i][j]) continue;
                ring2[i][j] = true;
                for (int k = 0; k < n; k++) if (ring1[j][k] && k != i) ring2[i][k] = true;
            }
        }
        double meanMin1 = meanMinNeighbour(col, ring1), meanMin2 = meanMinNeighbour(col, ring2), meanTop = meanTopPercent(col, ring1);
        double geoSigma = Math.max(5, Math.min(Math.min(10, 3 * meanMin1), meanTop / 10));
        double neiSigma = Math.min(Math.min(3 * meanMin1, 0.2 * meanTop), 20);
        double[] bdCon = boundaryConnectivity(sp, col, ring1, meanMin2, geoSigma);
        double[] bg = new double[n], bgWeight = new double[n];
        for (int i = 0; i < n; i++) {
            bg[i] = 1 - Math.exp(-bdCon[i] * bdCon[i] / 2);
            bgWeight[i] = bdCon[i] > 3 ? 1000 : bg[i];
        }
        double[] ctr = weightedContrast(col, pos, bg);
        return optimize(sp, col, ring2, neiSigma, bgWeight, ctr);
    }

    private static double dist(double[][] f, int i, int j, int d) {
        double s = 0;
        for (int c = 0; c < d; c++) s += (f[i][c] - f[j][c]) * (f[i][c] - f[j][c]);
        return Math.sqrt(s);
    }

    private static double meanMinNeighbour(double[][] col, boolean[][] ring) {
        double sum = 0;
        for (int i = 0; i < col.length; i++) {
            double m = Double.POSITIVE_INFINITY;
            for (int j = 0; j < col.length; j++) if (ring[i][j]) m = Math.min(m, col[i][j]);
            sum += Double.isInfinite(m) ? 0 : m;
        }
        return sum / col.length;
    }

    private static double meanTopPercent(double[][] col, boolean[][] ring) {
        java.util.List<Double> d = new java.util.ArrayList<>();
        for (int i = 0; i < col.length; i++) for (int j = 0; j < col.length; j++) if (ring[i][j]) d.add(col[i][j]);
        if (d.isEmpty()) return 0;
        d.sort(java.util.Comparator.reverseOrder());
        int top = Math.max(1, (int) Math.round(0.01 * d.size()));
        double s = 0;
        for (int i = 0; i < top; i++) s += d.get(i);
        return s / top;
    }

    /** Len_bnd / sqrt(Area) with geodesic weights over the 1-ring graph plus the boundary clique. */
    static double[] boundaryConnectivity(Superpixels sp, double[][] col, boolean[][] ring1, double clip, double sigma) {
        int n = sp.n;
        double[][] w = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                boolean linked = ring1[i][j] || (i != j && sp.boundary[i] && sp.boundary[j]);
                w[i][j] = linked ? Math.max(0, col[i][j] - clip) : Double.NaN;
            }
        }
        double[][] geo = Geodesics.allPairs(w);
        double[] out = new double[n];
        for (int p = 0; p < n; p++) {
            double len = 0, area = 0;
            for (int q = 0; q < n; q++) {
                double d = geo[p][q];
                double g = d > 3 * sigma ? 0 : Math.exp(-d * d / (2 * sigma * sigma));
                area += g;
                if (sp.boundary[q]) len += g;
            }
            out[p] = len / Math.sqrt(area);
        }
        return out;
    }

    /** Σ_q colDist·w_spa·bg(q), min-max normalized, zeroed below its Otsu threshold. */
    static double[] weightedContrast(double[][] col, double[][] pos, double[] bg) {
        int n = bg.length;
        float[] c = new float[n];
        for (int p = 0; p < n; p++) {
            double s = 0;
            for (int q = 0; q < n; q++) {
                double d = pos[p][q];
                if (d <= 3 * SPATIAL_SIGMA) s += col[p][q] * Math.exp(-d * d / (2 * SPATIAL_SIGMA * SPATIAL_SIGMA)) * bg[q];
            }
            c[p] = (float) s;
        }
        FloatMaps.minMax(c);
        double t = Otsu.threshold(c);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = c[i] < t ? 0 : c[i];
        return out;
    }

    /** Solves (D - W + diag(λ·bgWeight) + diag(ctr))·s = ctr. */
    static double[] optimize(Superpixels sp, double[][] col, boolean[][] ring2, double sigma, double[] bgWeight, double[] ctr) {
        int n = sp.n;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            double rowSum = 0;
            for (int j = 0; j < n; j++) {
                if (i == j) continue;
                boolean linked = ring2[i][j] || (sp.boundary[i] && sp.boundary[j]);
                double wn = linked && col[i][j] <= 3 * sigma ? gaussian(col[i][j], sigma) : 0;
                double wij = wn + SMOOTH_MU * sp.adjacency[i][j];
                a[i][j] = -wij;
                rowSum += wij;
            }
            a[i][i] = rowSum + BG_LAMBDA * bgWeight[i] + ctr[i];
        }
        return new LUDecomposition(new Array2DRowRealMatrix(a, false)).getSolver().solve(new ArrayRealVector(ctr, false)).toArray();
    }

    /**
     * exp(-d²/2σ²); for σ = 0 its limit, 1 at d = 0 and 0 elsewhere. neiSigma is 0 when no two neighbours differ in
     * colour (a flat image), where the formula's 0/0 made every weight NaN and the system unsolvable.
     */
    static double gaussian(double d, double sigma) {
        return sigma > 0 ? Math.exp(-d * d / (2 * sigma * sigma)) : d == 0 ? 1 : 0;
    }

    /** Per-superpixel features: Lab of the mean RGB, mean (row/H, col/W), 1-ring adjacency counts, boundary flags. */
    record Superpixels(int n, double[][] lab, double[][] pos, int[][] adjacency, boolean[] boundary) {
        static Superpixels of(int[] rgb, int[] labels, int w, int h, int band) {
            int n = Labels.count(labels);
            double[][] rgbSum = new double[n][3], pos = new double[n][2], lab = new double[n][3];
            int[] count = new int[n];
            int[][] touch = new int[n][n];
            boolean[] boundary = new boolean[n];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x, l = labels[p];
                    for (int c = 0; c < 3; c++) rgbSum[l][c] += rgb[3 * p + c];
                    pos[l][0] += (double) y / h;
                    pos[l][1] += (double) x / w;
                    count[l]++;
                    if (x < band || y < band || x >= w - band || y >= h - band) boundary[l] = true;
                    if (x < w - 1 && labels[p + 1] != l) touch[l][labels[p + 1]] = 1;
                    if (y < h - 1 && labels[p + w] != l) touch[l][labels[p + w]] = 1;
                }
            }
            int[][] adjacency = new int[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) adjacency[i][j] = i == j ? 1 : touch[i][j] + touch[j][i];
                double[] out = new double[3];
                Rgb.lab(rgbSum[i][0] / count[i] / 255, rgbSum[i][1] / count[i] / 255, rgbSum[i][2] / count[i] / 255, out);
                lab[i] = out;
                pos[i][0] /= count[i];
                pos[i][1] /= count[i];
            }
            return new Superpixels(n, lab, pos, adjacency, boundary);
        }
    }
}
