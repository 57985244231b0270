package dev.maskseg.prior.superpixels;

import java.util.Arrays;

/**
 * Felzenszwalb–Huttenlocher graph segmentation (docs/methods.md §4.5) with scikit-image's conventions: RGB scaled to
 * [0, 1], Gaussian smoothing σ per channel (reflected borders, truncated at 4σ), an 8-connected grid graph with
 * Euclidean colour edge weights, Kruskal merging while w < min(Int(C1) + k/|C1|, Int(C2) + k/|C2|) with
 * k = scale/255, then pieces under {@code minSize} merged along the sorted edges.
 */
public final class Felzenszwalb {
    private Felzenszwalb() {}

    public static int[] segment(int[] rgb, int w, int h, double scale, double sigma, int minSize) {
        if (scale <= 0) throw new IllegalArgumentException("felzenszwalb: scale must be > 0, got " + scale);
        float[] img = smooth(rgb, w, h, sigma);
        int n = w * h;
        int edges = (w - 1) * h + w * (h - 1) + 2 * (w - 1) * (h - 1);
        int[] ea = new int[edges], eb = new int[edges];
        float[] cost = new float[edges];
        int e = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                if (x < w - 1) e = edge(img, ea, eb, cost, e, p, p + 1);
                if (y < h - 1) e = edge(img, ea, eb, cost, e, p, p + w);
                if (x < w - 1 && y < h - 1) e = edge(img, ea, eb, cost, e, p, p + w + 1);
                if (x < w - 1 && y > 0) e = edge(img, ea, eb, cost, e, p, p - w + 1);
            }
        }
        // non-negative floats order as their bit patterns: sort (cost bits, edge index) packed into longs
        long[] packed = new long[edges];
        for (int i = 0; i < edges; i++) packed[i] = ((long) Float.floatToIntBits(cost[i]) << 32) | i;
        Arrays.sort(packed);
        int[] order = new int[edges];
        for (int i = 0; i < edges; i++) order[i] = (int) packed[i];
        int[] parent = new int[n], size = new int[n];
        float[] internal = new float[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            size[i] = 1;
        }
        double k = scale / 255.0;
        for (int i : order) {
            int a = find(parent, ea[i]), b = find(parent, eb[i]);
            if (a == b) continue;
            if (cost[i] < Math.min(internal[a] + k / size[a], internal[b] + k / size[b])) {
                int r = union(parent, size, a, b);
                internal[r] = cost[i];
            }
        }
        for (int i : order) {
            int a = find(parent, ea[i]), b = find(parent, eb[i]);
            if (a != b && (size[a] < minSize || size[b] < minSize)) union(parent, size, a, b);
        }
        int[] out = new int[n], ids = new int[n];
        Arrays.fill(ids, -1);
        int next = 0;
        for (int p = 0; p < n; p++) {
            int r = find(parent, p);
            if (ids[r] < 0) ids[r] = next++;
            out[p] = ids[r];
        }
        return out;
    }

    private static int edge(float[] img, int[] ea, int[] eb, float[] cost, int e, int p, int q) {
        double s = 0;
        for (int c = 0; c < 3; c++) {
            double d = img[3 * p + c] - img[3 * q + c];
            s += d * d;
        }
        ea[e] = p;
        eb[e] = q;
        cost[e] = (float) Math.sqrt(s);
        return e + 1;
    }

    private static int find(int[] parent, int p) {
        while (parent[p] != p) {
            parent[p] = parent[parent[p]];
            p = parent[p];
        }
        return p;
    }

    private static int union(int[] parent, int[] size, int a, int b) {
        if (size[a] < size[b]) {
            int t = a;
            a = b;
            b = t;
        }
        parent[b] = a;
        size[a] += size[b];
        return a;
    }

    /** Separable Gaussian (radius ceil(4σ), scipy's 'reflect' borders) of each channel of RGB/255. */
    static float[] smooth(int[] rgb, int w, int h, double sigma) {
        float[] src = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) src[i] = rgb[i] / 255f;
        if (sigma <= 0) return src;
        int r = (int) (4 * sigma + 0.5);
        double[] kern = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += kern[i + r] = Math.exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < kern.length; i++) kern[i] /= sum;
        float[] tmp = new float[src.length], out = new float[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    double a = 0;
                    for (int i = -r; i <= r; i++) a += kern[i + r] * src[3 * (y * w + reflect(x + i, w)) + c];
                    tmp[3 * (y * w + x) + c] = (float) a;
                }
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    double a = 0;
                    for (int i = -r; i <= r; i++) a += kern[i + r] * tmp[3 * (reflect(y + i, h) * w + x) + c];
                    out[3 * (y * w + x) + c] = (float) a;
                }
            }
        }
        return out;
    }

    /** scipy.ndimage 'reflect' (d c b a | a b c d | d c b a). */
    private static int reflect(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * n;
        i = ((i % period) + period) % period;
        return i < n ? i : period - 1 - i;
    }
}
