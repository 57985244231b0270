package dev.maskseg.prior.saliency;

import java.util.ArrayDeque;

/** Grey-level morphology on 8-bit maps (values 0..255 in an int[]): square erosion/dilation and reconstruction. */
final class Morphology {
    private Morphology() {}

    /** Min (erode) or max (dilate) over a size x size square, separably; the window is clipped at the borders. */
    static int[] squareFilter(int[] src, int w, int h, int size, boolean erode) {
        int before = (size - 1) / 2, after = size / 2;
        int[] tmp = new int[src.length], out = new int[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = erode ? 255 : 0;
                for (int i = Math.max(0, x - before); i <= Math.min(w - 1, x + after); i++) v = erode ? Math.min(v, src[y * w + i]) : Math.max(v, src[y * w + i]);
                tmp[y * w + x] = v;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = erode ? 255 : 0;
                for (int i = Math.max(0, y - before); i <= Math.min(h - 1, y + after); i++) v = erode ? Math.min(v, tmp[i * w + x]) : Math.max(v, tmp[i * w + x]);
                out[y * w + x] = v;
            }
        }
        return out;
    }

    /**
     * Morphological reconstruction by dilation of {@code marker} under {@code mask} (8-connected), Vincent's hybrid
     * algorithm: a raster and an anti-raster pass, then a FIFO propagation of what is left.
     */
    static int[] reconstructByDilation(int[] marker, int[] mask, int w, int h) {
        int[] j = new int[marker.length];
        for (int i = 0; i < j.length; i++) j[i] = Math.min(marker[i], mask[i]);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x, v = j[p];
                if (x > 0) v = Math.max(v, j[p - 1]);
                if (y > 0) {
                    v = Math.max(v, j[p - w]);
                    if (x > 0) v = Math.max(v, j[p - w - 1]);
                    if (x < w - 1) v = Math.max(v, j[p - w + 1]);
                }
                j[p] = Math.min(v, mask[p]);
            }
        }
        ArrayDeque<Integer> fifo = new ArrayDeque<>();
        int[] dx = {1, -1, 0, 1}, dy = {0, 1, 1, 1};
        for (int y = h - 1; y >= 0; y--) {
            for (int x = w - 1; x >= 0; x--) {
                int p = y * w + x, v = j[p];
                for (int k = 0; k < 4; k++) {
                    int nx = x + dx[k], ny = y + dy[k];
                    if (nx >= 0 && nx < w && ny < h && (k == 0 || ny > y)) v = Math.max(v, j[ny * w + nx]);
                }
                j[p] = Math.min(v, mask[p]);
                for (int k = 0; k < 4; k++) {
                    int nx = x + dx[k], ny = y + dy[k];
                    if (nx < 0 || nx >= w || ny >= h) continue;
                    int q = ny * w + nx;
                    if (j[q] < j[p] && j[q] < mask[q]) {
                        fifo.add(p);
                        break;
                    }
                }
            }
        }
        while (!fifo.isEmpty()) {
            int p = fifo.poll(), x = p % w, y = p / w;
            for (int oy = -1; oy <= 1; oy++) {
                for (int ox = -1; ox <= 1; ox++) {
                    int nx = x + ox, ny = y + oy;
                    if ((ox == 0 && oy == 0) || nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    int q = ny * w + nx;
                    if (j[q] < j[p] && mask[q] != j[q]) {
                        j[q] = Math.min(j[p], mask[q]);
                        fifo.add(q);
                    }
                }
            }
        }
        return j;
    }

    static int[] reconstructByErosion(int[] marker, int[] mask, int w, int h) {
        return invert(reconstructByDilation(invert(marker), invert(mask), w, h));
    }

    private static int[] invert(int[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) out[i] = 255 - a[i];
        return out;
    }
}
