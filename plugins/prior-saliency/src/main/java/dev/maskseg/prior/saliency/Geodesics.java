package dev.maskseg.prior.saliency;

import java.util.Arrays;
import java.util.PriorityQueue;

/** All-pairs shortest paths on a small undirected graph (NaN = no edge), Dijkstra from every node. */
final class Geodesics {
    private Geodesics() {}

    static double[][] allPairs(double[][] w) {
        int n = w.length;
        int[][] nbr = new int[n][];
        for (int i = 0; i < n; i++) {
            int k = 0;
            int[] tmp = new int[n];
            for (int j = 0; j < n; j++) if (!Double.isNaN(w[i][j])) tmp[k++] = j;
            nbr[i] = Arrays.copyOf(tmp, k);
        }
        double[][] d = new double[n][];
        for (int s = 0; s < n; s++) {
            double[] dist = new double[n];
            Arrays.fill(dist, Double.POSITIVE_INFINITY);
            dist[s] = 0;
            PriorityQueue<double[]> q = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
            q.add(new double[]{0, s});
            while (!q.isEmpty()) {
                double[] top = q.poll();
                int u = (int) top[1];
                if (top[0] > dist[u]) continue;
                for (int v : nbr[u]) {
                    double nd = dist[u] + w[u][v];
                    if (nd < dist[v]) {
                        dist[v] = nd;
                        q.add(new double[]{nd, v});
                    }
                }
            }
            d[s] = dist;
        }
        return d;
    }
}
