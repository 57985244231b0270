package dev.maskseg.prior;

import java.util.ArrayDeque;

/**
 * MaskContrast's post-processing of a saliency map (docs/methods.md §2.2): binarize at 0.5, fill each connected
 * region's outer contour (its holes), zero regions whose filled area is under 1% of the image, and drop the image
 * (no mask) when what remains covers under 1%.
 */
public final class SaliencyMasks {
    public static final double MIN_FRACTION = 0.01;

    private SaliencyMasks() {}

    /** The mask, or null when the image is dropped. Score = mean saliency inside the mask. */
    public static PriorResult.Mask postprocess(float[] saliency, int w, int h) {
        int n = w * h;
        byte[] bin = new byte[n];
        for (int i = 0; i < n; i++) bin[i] = (byte) (saliency[i] > 0.5f ? 1 : 0);
        int[] comp = new int[n];
        java.util.Arrays.fill(comp, -1);
        byte[] out = new byte[n];
        int[] queue = new int[n];
        int id = 0;
        for (int s = 0; s < n; s++) {
            if (bin[s] == 0 || comp[s] >= 0) continue;
            int len = collect(bin, comp, w, h, s, id, queue);
            id++;
            if (boxArea(queue, len, w) < MIN_FRACTION * n) continue; // the filled area cannot exceed the box
            byte[] filled = fillHoles(queue, len, w, h);
            long area = 0;
            for (byte b : filled) area += b;
            if (area >= MIN_FRACTION * n) for (int i = 0; i < n; i++) out[i] |= filled[i];
        }
        long total = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            total += out[i];
            if (out[i] != 0) sum += saliency[i];
        }
        if (total < MIN_FRACTION * n) return null;
        return new PriorResult.Mask(w, h, out, sum / total);
    }

    private static long boxArea(int[] pixels, int len, int w) {
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = -1, y1 = -1;
        for (int i = 0; i < len; i++) {
            int x = pixels[i] % w, y = pixels[i] / w;
            x0 = Math.min(x0, x);
            x1 = Math.max(x1, x);
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
        }
        return (long) (x1 - x0 + 1) * (y1 - y0 + 1);
    }

    /** 8-connected component of s (OpenCV's contours trace 8-connected regions); its pixels into queue. */
    private static int collect(byte[] bin, int[] comp, int w, int h, int s, int id, int[] queue) {
        int head = 0, tail = 0;
        queue[tail++] = s;
        comp[s] = id;
        while (head < tail) {
            int p = queue[head++], x = p % w, y = p / w;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int nx = x + dx, ny = y + dy;
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    int q = ny * w + nx;
                    if (bin[q] != 0 && comp[q] < 0) {
                        comp[q] = id;
                        queue[tail++] = q;
                    }
                }
            }
        }
        return tail;
    }

    /** The region plus every pixel it encloses: the complement of the background reachable (4-conn) from outside its box. */
    private static byte[] fillHoles(int[] pixels, int len, int w, int h) {
        byte[] region = new byte[w * h];
        for (int i = 0; i < len; i++) region[pixels[i]] = 1;
        byte[] outside = new byte[w * h];
        ArrayDeque<Integer> q = new ArrayDeque<>();
        for (int x = 0; x < w; x++) {
            seed(region, outside, q, x);
            seed(region, outside, q, (h - 1) * w + x);
        }
        for (int y = 0; y < h; y++) {
            seed(region, outside, q, y * w);
            seed(region, outside, q, y * w + w - 1);
        }
        while (!q.isEmpty()) {
            int p = q.poll(), x = p % w, y = p / w;
            if (x > 0) seed(region, outside, q, p - 1);
            if (x < w - 1) seed(region, outside, q, p + 1);
            if (y > 0) seed(region, outside, q, p - w);
            if (y < h - 1) seed(region, outside, q, p + w);
        }
        byte[] filled = new byte[w * h];
        for (int i = 0; i < filled.length; i++) filled[i] = (byte) (outside[i] == 0 ? 1 : 0);
        return filled;
    }

    private static void seed(byte[] region, byte[] outside, ArrayDeque<Integer> q, int p) {
        if (region[p] == 0 && outside[p] == 0) {
            outside[p] = 1;
            q.add(p);
        }
    }
}
