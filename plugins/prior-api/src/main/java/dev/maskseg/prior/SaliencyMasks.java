package dev.maskseg.prior;

import java.util.Arrays;

/**
 * MaskContrast's post-processing of a saliency map (docs/methods.md §2.2, the {@code postprocess} of the official
 * {@code saliency/README.md}): binarize at 0.5; find every contour (OpenCV {@code RETR_TREE}: the outer contour of each
 * 8-connected region and the contour of each hole inside one); fill each contour on its own and, when that filled
 * area is under 1% of the image, zero it in the mask; drop the image (no mask) when what remains covers under 1%.
 * Holes are kept: a large hole stays a hole, a small hole's filled contour (the hole, what lies inside it, and the
 * region's pixels along its border) is zeroed, which widens it by a pixel; a small region is zeroed with whatever it
 * encloses. Contours are taken from the binarized map before any zeroing, as the official loop does.
 *
 * <p>A filled contour is computed on the pixel grid: an outer contour fills its region and everything the region
 * encloses; a hole contour fills the hole, everything inside it, and the region's pixels 4-adjacent to the hole (the
 * border pixels OpenCV traces around an 8-connected region's hole). OpenCV rasterises the traced polygon instead; on 26
 * generated maps with holes, islands in holes, diagonal strokes and specks the two give identical masks
 * ({@code SaliencyPostprocessReferenceTest}, fixtures from OpenCV 4.6 by {@code tools/gen_saliency_fixtures.py}).
 *
 * <p>{@link Holes#FILL} is the earlier rule, kept as an option: each region's holes are filled and a region whose
 * filled area is under 1% is dropped.
 */
public final class SaliencyMasks {
    public static final double MIN_FRACTION = 0.01;

    /** What happens to holes in salient regions. */
    public enum Holes {
        /** The official rule: holes stay, small holes' filled contours are zeroed. */
        KEEP,
        /** Holes are filled. */
        FILL;

        /** {@code keep} or {@code fill}; anything else is an error naming the prior parameter. */
        public static Holes parse(String s) {
            return switch (s) {
                case "keep" -> KEEP;
                case "fill" -> FILL;
                default -> throw new IllegalArgumentException("parameter 'holes' must be keep or fill, got '" + s + "'");
            };
        }
    }

    private SaliencyMasks() {}

    /** The official rule ({@link Holes#KEEP}). */
    public static PriorResult.Mask postprocess(float[] saliency, int w, int h) { return postprocess(saliency, w, h, Holes.KEEP); }

    /** The mask, or null when the image is dropped. Score = mean saliency inside the mask. */
    public static PriorResult.Mask postprocess(float[] saliency, int w, int h, Holes holes) {
        int n = w * h;
        byte[] bin = new byte[n];
        for (int i = 0; i < n; i++) bin[i] = (byte) (saliency[i] > 0.5f ? 1 : 0);
        byte[] out = holes == Holes.FILL ? filledRegions(bin, w, h) : officialRule(bin, w, h);
        long total = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            total += out[i];
            if (out[i] != 0) sum += saliency[i];
        }
        if (total < MIN_FRACTION * n) return null;
        return new PriorResult.Mask(w, h, out, sum / total);
    }

    private static byte[] officialRule(byte[] bin, int w, int h) {
        int n = w * h;
        int[] regions = label(bin, (byte) 1, w, h, true), background = label(bin, (byte) 0, w, h, false);
        int[][] regionBoxes = boxes(regions, w), holeBoxes = boxes(background, w);
        byte[] zero = new byte[n];
        for (int r = 0; r < regionBoxes.length; r++) zeroIfSmall(Filled.of(regions, r, regionBoxes[r], w, h, false), zero, n);
        for (int b = 0; b < holeBoxes.length; b++) {
            int[] box = holeBoxes[b];
            boolean touchesBorder = box[0] == 0 || box[1] == 0 || box[2] == w - 1 || box[3] == h - 1;
            if (!touchesBorder) zeroIfSmall(Filled.of(background, b, box, w, h, true), zero, n); // not the outside: a hole
        }
        byte[] out = bin.clone();
        for (int i = 0; i < n; i++) if (zero[i] != 0) out[i] = 0;
        return out;
    }

    private static byte[] filledRegions(byte[] bin, int w, int h) {
        int[] regions = label(bin, (byte) 1, w, h, true);
        int[][] boxes = boxes(regions, w);
        byte[] out = new byte[w * h];
        for (int r = 0; r < boxes.length; r++) {
            Filled f = Filled.of(regions, r, boxes[r], w, h, false);
            if (f.area() >= MIN_FRACTION * w * h) f.paint(out, w);
        }
        return out;
    }

    private static void zeroIfSmall(Filled f, byte[] zero, int n) {
        if (f.area() < MIN_FRACTION * n) f.paint(zero, f.imageWidth());
    }

    /** [x0, y0, x1, y1] (inclusive) of each component id. */
    private static int[][] boxes(int[] labels, int w) {
        int k = 0;
        for (int v : labels) k = Math.max(k, v + 1);
        int[][] b = new int[k][];
        for (int p = 0; p < labels.length; p++) {
            int id = labels[p];
            if (id < 0) continue;
            int x = p % w, y = p / w;
            if (b[id] == null) b[id] = new int[]{x, y, x, y};
            else {
                b[id][0] = Math.min(b[id][0], x);
                b[id][1] = Math.min(b[id][1], y);
                b[id][2] = Math.max(b[id][2], x);
                b[id][3] = Math.max(b[id][3], y);
            }
        }
        return b;
    }

    /**
     * The filled contour of one component, inside its box grown by one pixel (everything outside the box is reachable
     * from the image border): the component plus every pixel it separates from the border (not reachable by 4-moves
     * through pixels outside it); for a hole also the pixels 4-adjacent to it, the surrounding region's border pixels.
     */
    private record Filled(int x0, int y0, int bw, int bh, byte[] local, int imageWidth) {
        static Filled of(int[] labels, int id, int[] box, int w, int h, boolean hole) {
            int x0 = Math.max(0, box[0] - 1), y0 = Math.max(0, box[1] - 1), x1 = Math.min(w - 1, box[2] + 1), y1 = Math.min(h - 1, box[3] + 1);
            int bw = x1 - x0 + 1, bh = y1 - y0 + 1, m = bw * bh;
            byte[] reach = new byte[m];
            int[] queue = new int[m];
            int tail = 0;
            for (int x = 0; x < bw; x++) {
                tail = seed(labels, id, reach, queue, tail, x, x0, y0, bw, w);
                tail = seed(labels, id, reach, queue, tail, (bh - 1) * bw + x, x0, y0, bw, w);
            }
            for (int y = 0; y < bh; y++) {
                tail = seed(labels, id, reach, queue, tail, y * bw, x0, y0, bw, w);
                tail = seed(labels, id, reach, queue, tail, y * bw + bw - 1, x0, y0, bw, w);
            }
            for (int head = 0; head < tail; head++) {
                int p = queue[head], x = p % bw, y = p / bw;
                if (x > 0) tail = seed(labels, id, reach, queue, tail, p - 1, x0, y0, bw, w);
                if (x < bw - 1) tail = seed(labels, id, reach, queue, tail, p + 1, x0, y0, bw, w);
                if (y > 0) tail = seed(labels, id, reach, queue, tail, p - bw, x0, y0, bw, w);
                if (y < bh - 1) tail = seed(labels, id, reach, queue, tail, p + bw, x0, y0, bw, w);
            }
            byte[] filled = new byte[m];
            for (int i = 0; i < m; i++) filled[i] = (byte) (reach[i] == 0 ? 1 : 0);
            if (hole) {
                for (int y = 0; y < bh; y++) {
                    for (int x = 0; x < bw; x++) {
                        if (labels[(y0 + y) * w + x0 + x] != id) continue;
                        int p = y * bw + x; // a hole never touches the image border, so its neighbours lie in the grown box
                        filled[p - 1] = filled[p + 1] = filled[p - bw] = filled[p + bw] = 1;
                    }
                }
            }
            return new Filled(x0, y0, bw, bh, filled, w);
        }

        private static int seed(int[] labels, int id, byte[] reach, int[] queue, int tail, int p, int x0, int y0, int bw, int w) {
            if (reach[p] != 0 || labels[(y0 + p / bw) * w + x0 + p % bw] == id) return tail;
            reach[p] = 1;
            queue[tail] = p;
            return tail + 1;
        }

        long area() {
            long a = 0;
            for (byte b : local) a += b;
            return a;
        }

        /** Sets the filled pixels in a full-image map. */
        void paint(byte[] image, int w) {
            for (int y = 0; y < bh; y++) for (int x = 0; x < bw; x++) if (local[y * bw + x] != 0) image[(y0 + y) * w + x0 + x] = 1;
        }
    }

    /**
     * Component ids (0, 1, ...) of the pixels equal to {@code value}, -1 elsewhere: 8-connected for regions (OpenCV
     * traces 8-connected regions), 4-connected for the background between them.
     */
    private static int[] label(byte[] bin, byte value, int w, int h, boolean eight) {
        int n = w * h;
        int[] id = new int[n], queue = new int[n];
        Arrays.fill(id, -1);
        int next = 0;
        for (int s = 0; s < n; s++) {
            if (bin[s] != value || id[s] >= 0) continue;
            int head = 0, tail = 0;
            queue[tail++] = s;
            id[s] = next;
            while (head < tail) {
                int p = queue[head++], x = p % w, y = p / w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        if ((dx == 0 && dy == 0) || (!eight && dx != 0 && dy != 0)) continue;
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                        int q = ny * w + nx;
                        if (bin[q] == value && id[q] < 0) {
                            id[q] = next;
                            queue[tail++] = q;
                        }
                    }
                }
            }
            next++;
        }
        return id;
    }
}
