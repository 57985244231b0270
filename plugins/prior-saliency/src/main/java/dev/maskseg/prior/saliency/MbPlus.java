package dev.maskseg.prior.saliency;

import dev.maskseg.prior.image.FloatMaps;
import dev.maskseg.prior.image.PillowResize;
import dev.maskseg.prior.image.Rgb;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;

import java.util.Arrays;

/**
 * MB+ saliency (Zhang et al. 2015) as docs/methods.md §4.4.1 with the original code's parameters: longer side 300, Lab
 * median-blurred minimum barrier distance from the border, backgroundness of the four border strips, centre bias,
 * morphological smoothing by reconstruction, sigmoid contrast enhancement. The artificial-frame test is skipped.
 */
public final class MbPlus {
    static final int MAX_DIM = 300;
    static final double COV_REG = 50, MARGIN = 0.1, SMOOTH_ALPHA = 50, CONTRAST_B = 10;

    private MbPlus() {}

    /** The saliency map in [0, 1] at the input resolution. */
    public static float[] saliency(int[] rgb, int w, int h) {
        double s = (double) MAX_DIM / Math.max(w, h);
        int sw = Math.max(1, (int) Math.round(w * s)), sh = Math.max(1, (int) Math.round(h * s));
        int[] small = PillowResize.resize(rgb, w, h, 3, sw, sh, PillowResize.Filter.BICUBIC);
        float[] map = mbd(small, sw, sh);
        float[] bg = backgroundness(small, sw, sh);
        for (int i = 0; i < map.length; i++) map[i] += bg[i];
        centreBias(map, sw, sh);
        FloatMaps.minMax(map);
        map = smooth(map, sw, sh);
        contrast(map);
        return FloatMaps.minMax(FloatMaps.resizeBilinear(map, sw, sh, w, h));
    }

    /** Sum over the 8-bit Lab channels (5x5 median-blurred) of the fast minimum barrier distance; min-max normalized. */
    static float[] mbd(int[] rgb, int w, int h) {
        float[] lab = Rgb.lab(rgb);
        float[] total = new float[w * h];
        for (int c = 0; c < 3; c++) {
            int[] ch = new int[w * h];
            for (int i = 0; i < ch.length; i++) {
                double v = c == 0 ? lab[3 * i] * 255.0 / 100 : lab[3 * i + c] + 128;
                ch[i] = (int) Math.max(0, Math.min(255, Math.round(v)));
            }
            float[] d = barrier(median5(ch, w, h), w, h);
            for (int i = 0; i < total.length; i++) total[i] += d[i];
        }
        return FloatMaps.minMax(total);
    }

    /** Raster, anti-raster, raster sweeps of the barrier distance; border pixels are seeds with distance 0. */
    static float[] barrier(int[] img, int w, int h) {
        float[] d = new float[w * h];
        int[] up = img.clone(), lo = img.clone();
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) d[y * w + x] = (x == 0 || y == 0 || x == w - 1 || y == h - 1) ? 0 : 1e5f;
        for (int sweep = 0; sweep < 3; sweep++) {
            boolean forward = sweep != 1;
            for (int yy = 1; yy < h - 1; yy++) {
                int y = forward ? yy : h - 1 - yy;
                for (int xx = 1; xx < w - 1; xx++) {
                    int x = forward ? xx : w - 1 - xx;
                    int p = y * w + x, v = img[p];
                    int n1 = forward ? p - 1 : p + 1, n2 = forward ? p - w : p + w;
                    for (int n : new int[]{n1, n2}) {
                        int u = Math.max(up[n], v), l = Math.min(lo[n], v);
                        if (u - l < d[p]) {
                            d[p] = u - l;
                            up[p] = u;
                            lo[p] = l;
                        }
                    }
                }
            }
        }
        return d;
    }

    static int[] median5(int[] src, int w, int h) {
        int[] out = new int[src.length], win = new int[25];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int k = 0;
                for (int dy = -2; dy <= 2; dy++) {
                    int yy = Math.max(0, Math.min(h - 1, y + dy));
                    for (int dx = -2; dx <= 2; dx++) win[k++] = src[yy * w + Math.max(0, Math.min(w - 1, x + dx))];
                }
                Arrays.sort(win);
                out[y * w + x] = win[12];
            }
        }
        return out;
    }

    /** Whitened L1 distance to each border strip's colour distribution; sum of the four minus their max, normalized. */
    static float[] backgroundness(int[] rgb, int w, int h) {
        int mr = (int) Math.round(MARGIN * h), mc = (int) Math.round(MARGIN * w);
        int[][] strips = {{0, 0, w, Math.max(1, mr)}, {0, h - Math.max(1, mr), w, h}, {0, 0, Math.max(1, mc), h}, {w - Math.max(1, mc), 0, w, h}};
        float[][] maps = new float[4][];
        for (int s = 0; s < 4; s++) maps[s] = FloatMaps.minMax(stripDistance(rgb, w, h, strips[s]));
        float[] bg = new float[w * h];
        for (int i = 0; i < bg.length; i++) {
            float sum = 0, max = Float.NEGATIVE_INFINITY;
            for (float[] m : maps) {
                sum += m[i];
                max = Math.max(max, m[i]);
            }
            bg[i] = sum - max;
        }
        return FloatMaps.minMax(bg);
    }

    private static float[] stripDistance(int[] rgb, int w, int h, int[] box) {
        double[] mean = new double[3];
        int n = 0;
        for (int y = box[1]; y < box[3]; y++) {
            for (int x = box[0]; x < box[2]; x++, n++) for (int c = 0; c < 3; c++) mean[c] += rgb[3 * (y * w + x) + c];
        }
        for (int c = 0; c < 3; c++) mean[c] /= n;
        double[][] cov = new double[3][3];
        for (int y = box[1]; y < box[3]; y++) {
            for (int x = box[0]; x < box[2]; x++) {
                for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) cov[a][b] += (rgb[3 * (y * w + x) + a] - mean[a]) * (rgb[3 * (y * w + x) + b] - mean[b]);
            }
        }
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) cov[a][b] /= Math.max(1, n - 1);
            cov[a][a] += COV_REG;
        }
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov));
        double[][] p = new double[3][3]; // columns: eigenvectors scaled by 1/sqrt(eigenvalue)
        for (int j = 0; j < 3; j++) {
            double scale = 1 / Math.sqrt(eig.getRealEigenvalue(j));
            for (int i = 0; i < 3; i++) p[i][j] = eig.getV().getEntry(i, j) * scale;
        }
        float[] out = new float[w * h];
        for (int i = 0; i < out.length; i++) {
            double dist = 0;
            for (int j = 0; j < 3; j++) {
                double v = 0;
                for (int c = 0; c < 3; c++) v += (rgb[3 * i + c] - mean[c]) * p[c][j];
                dist += Math.abs(v);
            }
            out[i] = (float) dist;
        }
        return out;
    }

    /** Multiply by 1 - (distance to the centre) / (largest such distance), in normalized coordinates. */
    static void centreBias(float[] map, int w, int h) {
        double max = Math.sqrt(0.5);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = (x + 0.5) / w - 0.5, dy = (y + 0.5) / h - 0.5;
                map[y * w + x] *= (float) (1 - Math.sqrt(dx * dx + dy * dy) / max);
            }
        }
    }

    /** Opening then closing by reconstruction with a δ x δ square, δ = max(3, floor(50·sqrt(mean))), on 8-bit values. */
    static float[] smooth(float[] map, int w, int h) {
        double mean = 0;
        for (float v : map) mean += v;
        mean /= map.length;
        int delta = Math.max(3, (int) Math.floor(SMOOTH_ALPHA * Math.sqrt(mean)));
        int[] q = new int[map.length];
        for (int i = 0; i < q.length; i++) q[i] = Math.round(map[i] * 255);
        int[] opened = Morphology.reconstructByDilation(Morphology.squareFilter(q, w, h, delta, true), q, w, h);
        int[] closed = Morphology.reconstructByErosion(Morphology.squareFilter(opened, w, h, delta, false), opened, w, h);
        float[] out = new float[map.length];
        for (int i = 0; i < out.length; i++) out[i] = closed[i] / 255f;
        return FloatMaps.minMax(out);
    }

    /** Sigmoid around the mean of the two sides' means of the threshold 0.5·max. */
    static void contrast(float[] map) {
        float max = 0;
        for (float v : map) max = Math.max(max, v);
        double t = 0.5 * max, hi = 0, lo = 0;
        int nh = 0, nl = 0;
        for (float v : map) {
            if (v >= t) {
                hi += v;
                nh++;
            } else {
                lo += v;
                nl++;
            }
        }
        double mid = ((nh > 0 ? hi / nh : 0) + (nl > 0 ? lo / nl : 0)) / 2;
        for (int i = 0; i < map.length; i++) map[i] = (float) (1 / (1 + Math.exp(-CONTRAST_B * (map[i] - mid))));
    }
}
