package dev.maskseg.pipeline.eval;

import java.util.Arrays;

/** Minimum-cost assignment (Kuhn–Munkres with potentials, O(n³)) on a rectangular cost matrix. */
public final class Hungarian {
    private Hungarian() {}

    /** For each row, its column, or -1 when there are more rows than columns and the row is left out. */
    public static int[] minimize(double[][] cost) {
        int rows = cost.length, cols = rows == 0 ? 0 : cost[0].length, n = Math.max(rows, cols);
        double[][] a = new double[n][n];
        for (int i = 0; i < rows; i++) System.arraycopy(cost[i], 0, a[i], 0, cols);
        double[] u = new double[n + 1], v = new double[n + 1];
        int[] match = new int[n + 1], way = new int[n + 1]; // match[col] = row (1-based)
        for (int i = 1; i <= n; i++) {
            match[0] = i;
            int j0 = 0;
            double[] minv = new double[n + 1];
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[n + 1];
            do {
                used[j0] = true;
                int i0 = match[j0], j1 = 0;
                double delta = Double.POSITIVE_INFINITY;
                for (int j = 1; j <= n; j++) {
                    if (used[j]) continue;
                    double cur = a[i0 - 1][j - 1] - u[i0] - v[j];
                    if (cur < minv[j]) {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if (minv[j] < delta) {
                        delta = minv[j];
                        j1 = j;
                    }
                }
                for (int j = 0; j <= n; j++) {
                    if (used[j]) {
                        u[match[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (match[j0] != 0);
            do {
                int j1 = way[j0];
                match[j0] = match[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] out = new int[rows];
        Arrays.fill(out, -1);
        for (int j = 1; j <= n; j++) {
            int i = match[j] - 1;
            if (i < rows && j - 1 < cols) out[i] = j - 1;
        }
        return out;
    }

    /** The assignment of maximum total score. */
    public static int[] maximize(double[][] score) {
        double[][] c = new double[score.length][];
        for (int i = 0; i < score.length; i++) {
            c[i] = new double[score[i].length];
            for (int j = 0; j < c[i].length; j++) c[i][j] = -score[i][j];
        }
        return minimize(c);
    }
}
