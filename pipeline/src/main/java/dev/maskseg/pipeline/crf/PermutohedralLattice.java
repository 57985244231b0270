package dev.maskseg.pipeline.crf;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Gaussian filtering in a d-dimensional feature space with the permutohedral lattice (Adams, Baek and Davis 2010),
 * as densecrf's {@code permutohedral.cpp} (which pydensecrf wraps): every point is splatted onto the d + 1 vertices
 * of its enclosing simplex with barycentric weights, the lattice is blurred with [1/2, 1, 1/2] along each of the
 * d + 1 lattice axes, and values are sliced back with the same weights times 1 / (1 + 2^−d). The filter includes
 * each point itself, as densecrf's does.
 */
final class PermutohedralLattice {
    private final int n, d, vertices;
    private final int[] offset;        // n * (d + 1) lattice vertex indices (0-based)
    private final float[] barycentric; // n * (d + 1)
    private final int[][] blur;        // per axis j: 2 * vertices neighbour indices (−1 = none)

    /** {@code features}: n points of d values each, row-major, already divided by their standard deviations. */
    PermutohedralLattice(float[] features, int n, int d) {
        this.n = n;
        this.d = d;
        offset = new int[n * (d + 1)];
        barycentric = new float[n * (d + 1)];
        Map<Key, Integer> table = new HashMap<>();
        float[] scale = new float[d];
        double invStd = Math.sqrt(2.0 / 3.0) * (d + 1);
        for (int i = 0; i < d; i++) scale[i] = (float) (invStd / Math.sqrt((i + 1) * (i + 2)));
        int[][] canonical = new int[d + 1][d + 1];
        for (int i = 0; i <= d; i++) {
            for (int j = 0; j <= d - i; j++) canonical[i][j] = i;
            for (int j = d - i + 1; j <= d; j++) canonical[i][j] = i - (d + 1);
        }
        float[] elevated = new float[d + 1], bary = new float[d + 2];
        int[] rem0 = new int[d + 1], rank = new int[d + 1];
        float down = 1f / (d + 1), up = d + 1;
        for (int k = 0; k < n; k++) {
            float sm = 0;
            for (int j = d; j > 0; j--) {
                float cf = features[k * d + j - 1] * scale[j - 1];
                elevated[j] = sm - j * cf;
                sm += cf;
            }
            elevated[0] = sm;
            int sum = 0;
            for (int i = 0; i <= d; i++) {
                float v = down * elevated[i];
                float hi = (float) Math.ceil(v) * up, lo = (float) Math.floor(v) * up;
                rem0[i] = (int) (hi - elevated[i] < elevated[i] - lo ? hi : lo);
                sum += rem0[i];
            }
            sum /= d + 1;
            Arrays.fill(rank, 0);
            for (int i = 0; i < d; i++) {
                double di = elevated[i] - rem0[i];
                for (int j = i + 1; j <= d; j++) {
                    if (di < elevated[j] - rem0[j]) rank[i]++;
                    else rank[j]++;
                }
            }
            for (int i = 0; i <= d; i++) {
                rank[i] += sum;
                if (rank[i] < 0) {
                    rank[i] += d + 1;
                    rem0[i] += d + 1;
                } else if (rank[i] > d) {
                    rank[i] -= d + 1;
                    rem0[i] -= d + 1;
                }
            }
            Arrays.fill(bary, 0);
            for (int i = 0; i <= d; i++) {
                float v = (elevated[i] - rem0[i]) * down;
                bary[d - rank[i]] += v;
                bary[d - rank[i] + 1] -= v;
            }
            bary[0] += 1f + bary[d + 1];
            for (int r = 0; r <= d; r++) {
                int[] key = new int[d];
                for (int i = 0; i < d; i++) key[i] = rem0[i] + canonical[r][rank[i]];
                Integer at = table.putIfAbsent(new Key(key), table.size());
                offset[k * (d + 1) + r] = at == null ? table.size() - 1 : at;
                barycentric[k * (d + 1) + r] = bary[r];
            }
        }
        vertices = table.size();
        int[][] keys = new int[vertices][];
        table.forEach((key, i) -> keys[i] = key.v);
        blur = new int[d + 1][2 * vertices];
        for (int j = 0; j <= d; j++) {
            for (int i = 0; i < vertices; i++) {
                int[] n1 = new int[d], n2 = new int[d];
                for (int c = 0; c < d; c++) {
                    n1[c] = keys[i][c] + 1;
                    n2[c] = keys[i][c] - 1;
                }
                if (j < d) {
                    n1[j] = keys[i][j] - d;
                    n2[j] = keys[i][j] + d;
                }
                blur[j][2 * i] = table.getOrDefault(new Key(n1), -1);
                blur[j][2 * i + 1] = table.getOrDefault(new Key(n2), -1);
            }
        }
    }

    /** out[c * n + i] = Σ_j k(f_i, f_j) in[c * n + j] (approximately), for {@code channels} planes of n values. */
    float[] filter(float[] in, int channels) {
        float[] out = new float[channels * n];
        float[] values = new float[vertices], next = new float[vertices];
        float alpha = (float) (1.0 / (1 + Math.pow(2, -d)));
        for (int c = 0; c < channels; c++) {
            Arrays.fill(values, 0);
            for (int i = 0; i < n; i++) {
                float v = in[c * n + i];
                for (int r = 0; r <= d; r++) values[offset[i * (d + 1) + r]] += barycentric[i * (d + 1) + r] * v;
            }
            for (int j = 0; j <= d; j++) {
                int[] nb = blur[j];
                for (int i = 0; i < vertices; i++) {
                    float v1 = nb[2 * i] >= 0 ? values[nb[2 * i]] : 0, v2 = nb[2 * i + 1] >= 0 ? values[nb[2 * i + 1]] : 0;
                    next[i] = values[i] + 0.5f * (v1 + v2);
                }
                float[] t = values;
                values = next;
                next = t;
            }
            for (int i = 0; i < n; i++) {
                float s = 0;
                for (int r = 0; r <= d; r++) s += barycentric[i * (d + 1) + r] * values[offset[i * (d + 1) + r]];
                out[c * n + i] = s * alpha;
            }
        }
        return out;
    }

    private record Key(int[] v) {
        @Override
        public boolean equals(Object o) { return o instanceof Key k && Arrays.equals(v, k.v); }

        @Override
        public int hashCode() { return Arrays.hashCode(v); }
    }
}
