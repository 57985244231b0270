package dev.maskseg.prior.dino;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.prior.PriorResult;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Patch-grid algorithms shared by the DINO priors; ties in every sort go to the lower patch index (docs/design.md §4). */
final class PatchMasks {
    private PatchMasks() {}

    /**
     * DINO's mass threshold (docs/methods.md §4.2): sort ascending, divide by the total, cumulative sum; keep the entries
     * whose cumulative value exceeds 1 − fraction. Literal, as the official code (float32 values, the comparison
     * in float32), also for inputs with negative entries (MaskDistill's raw affinities).
     */
    static boolean[] massThreshold(float[] a, double fraction) {
        int n = a.length;
        Integer[] order = ascending(a);
        float total = 0;
        for (float v : a) total += v;
        boolean[] keep = new boolean[n];
        double cum = 0;
        float limit = (float) (1 - fraction);
        for (Integer i : order) {
            cum += a[i] / total;
            keep[i] = (float) cum > limit;
        }
        return keep;
    }

    /** Indices sorted by value ascending, ties by index. */
    static Integer[] ascending(float[] a) {
        Integer[] idx = IntStream.range(0, a.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.<Integer>comparingDouble(i -> a[i]).thenComparingInt(i -> i));
        return idx;
    }

    /** The k largest, by value descending, ties by index. */
    static int[] topk(float[] a, int k) {
        Integer[] idx = IntStream.range(0, a.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.<Integer>comparingDouble(i -> -a[i]).thenComparingInt(i -> i));
        return Arrays.stream(idx, 0, k).mapToInt(Integer::intValue).toArray();
    }

    /** The 4-connected component of {@code grid} (rows x cols) that holds {@code seed}. */
    static boolean[] componentOf(boolean[] grid, int rows, int cols, int seed) {
        boolean[] out = new boolean[grid.length];
        if (!grid[seed]) return out;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(seed);
        out[seed] = true;
        while (!queue.isEmpty()) {
            int p = queue.poll(), r = p / cols, c = p % cols;
            int[] next = {r > 0 ? p - cols : -1, r < rows - 1 ? p + cols : -1, c > 0 ? p - 1 : -1, c < cols - 1 ? p + 1 : -1};
            for (int q : next) {
                if (q >= 0 && grid[q] && !out[q]) {
                    out[q] = true;
                    queue.add(q);
                }
            }
        }
        return out;
    }

    /** Nearest upsampling by the patch size, cropped to width x height (the padding removed). */
    static byte[] upsample(boolean[] grid, int cols, int patch, int width, int height) {
        byte[] px = new byte[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) px[y * width + x] = (byte) (grid[(y / patch) * cols + x / patch] ? 1 : 0);
        }
        return px;
    }

    static PriorResult.Mask mask(boolean[] grid, int cols, int patch, int width, int height) {
        return new PriorResult.Mask(width, height, upsample(grid, cols, patch, width, height), 1.0);
    }

    /** Gram matrix of row vectors, g[i * n + j] = f_i · f_j, as a float32 matmul on the engine. */
    static float[] gram(float[][] f) {
        int n = f.length, d = f[0].length;
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) System.arraycopy(f[i], 0, flat, i * d, d);
        Tensor t = Tensor.of(flat, n, d);
        try (var ng = GradMode.noGrad()) {
            return t.matmul(t.t()).toFloatArray();
        }
    }
}
