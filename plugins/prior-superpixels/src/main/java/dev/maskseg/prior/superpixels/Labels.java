package dev.maskseg.prior.superpixels;

import java.util.Arrays;

/** Operations on row-major label maps. */
public final class Labels {
    private Labels() {}

    /**
     * Relabels 4-connected pieces in raster order to 0..n-1; a piece smaller than {@code minSize} takes the new label
     * of the neighbour met just before its first pixel (Achanta's orphan rule). Unlabelled pixels (-1) count as a label.
     */
    public static int[] enforceConnectivity(int[] label, int w, int h, int minSize) {
        int n = w * h;
        int[] out = new int[n];
        Arrays.fill(out, -1);
        int[] queue = new int[n];
        int next = 0;
        for (int s = 0; s < n; s++) {
            if (out[s] >= 0) continue;
            int adjacent = -1;
            int x0 = s % w, y0 = s / w;
            if (x0 > 0 && out[s - 1] >= 0) adjacent = out[s - 1];
            else if (y0 > 0 && out[s - w] >= 0) adjacent = out[s - w];
            int head = 0, tail = 0;
            queue[tail++] = s;
            out[s] = next;
            while (head < tail) {
                int p = queue[head++], x = p % w, y = p / w;
                if (x > 0) tail = visit(label, out, queue, tail, p, p - 1, next);
                if (x < w - 1) tail = visit(label, out, queue, tail, p, p + 1, next);
                if (y > 0) tail = visit(label, out, queue, tail, p, p - w, next);
                if (y < h - 1) tail = visit(label, out, queue, tail, p, p + w, next);
            }
            if (tail < minSize && adjacent >= 0) {
                for (int i = 0; i < tail; i++) out[queue[i]] = adjacent;
            } else {
                next++;
            }
        }
        return out;
    }

    private static int visit(int[] label, int[] out, int[] queue, int tail, int p, int q, int id) {
        if (out[q] < 0 && label[q] == label[p]) {
            out[q] = id;
            queue[tail++] = q;
        }
        return tail;
    }

    public static int count(int[] labels) {
        int max = -1;
        for (int l : labels) max = Math.max(max, l);
        return max + 1;
    }
}
