package dev.maskseg.pipeline.instances;

import java.util.Arrays;

/**
 * A binary mask in COCO's run-length encoding, as pycocotools' {@code maskApi.c} defines it: pixels are visited in
 * column-major (Fortran) order and {@code counts} alternates runs of 0s and 1s, starting with 0s (so a mask whose
 * first pixel is set starts with a 0 count). Counts are unsigned 32-bit values held in an {@code int[]}.
 *
 * <p>Every RLE built from outside data ({@link #fromString}, {@link #fromCounts}) is checked to cover exactly
 * {@code height * width} pixels: pycocotools does not check this, and loops forever or reads garbage when it is off.
 */
public record Rle(int height, int width, int[] counts) {
    private static final long UINT = 0xffffffffL;

    public Rle {
        if (height < 0 || width < 0) throw new IllegalArgumentException("RLE size must be non-negative, got " + height + "x" + width);
        counts = counts.clone();
    }

    /** Encodes a row-major binary mask ({@code mask[y * width + x]}); any non-zero value is foreground. */
    public static Rle encode(boolean[] mask, int height, int width) {
        checkMaskLength(mask.length, height, width);
        int[] runs = new int[height * width + 1];
        int k = 0, run = 0;
        boolean previous = false;
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                boolean v = mask[y * width + x];
                if (v != previous) {
                    runs[k++] = run;
                    run = 0;
                    previous = v;
                }
                run++;
            }
        }
        runs[k++] = run;
        return new Rle(height, width, Arrays.copyOf(runs, k));
    }

    /** Encodes a row-major byte mask (e.g. uint8 0/1 or 0/255); any non-zero value is foreground. */
    public static Rle encode(byte[] mask, int height, int width) {
        checkMaskLength(mask.length, height, width);
        boolean[] b = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) b[i] = mask[i] != 0;
        return encode(b, height, width);
    }

    /** The row-major mask. */
    public boolean[] decode() {
        boolean[] out = new boolean[height * width];
        long pos = 0;
        boolean v = false;
        for (int c : counts) {
            long end = pos + (c & UINT);
            if (v) for (long p = pos; p < end; p++) out[(int) (p % height) * width + (int) (p / height)] = true;
            pos = end;
            v = !v;
        }
        return out;
    }

    /** Number of foreground pixels ({@code rleArea}). */
    public long area() {
        long a = 0;
        for (int j = 1; j < counts.length; j += 2) a += counts[j] & UINT;
        return a & UINT;
    }

    /**
     * {@code [x, y, w, h]} of the foreground as pycocotools 2.0.11's {@code rleToBbox}: all zeros for fewer than two
     * counts; a trailing odd count is ignored; a run crossing a column spans the full height. Widths and heights are
     * computed in unsigned 32-bit arithmetic as there (an RLE whose foreground runs are all empty wraps around).
     */
    public double[] toBbox() {
        int m = (counts.length / 2) * 2;
        if (m == 0) return new double[4];
        long h = height, xs = width, ys = height, xe = 0, ye = 0, cc = 0;
        for (int j = 0; j < m; j++) {
            long start = cc;
            cc = (cc + (counts[j] & UINT)) & UINT;
            if (j % 2 == 0 || counts[j] == 0) continue;
            long yStart = start % h, xStart = (start - yStart) / h;
            long yEnd = (cc - 1) % h, xEnd = (cc - 1 - yEnd) / h;
            xs = Math.min(xs, xStart);
            xe = Math.max(xe, xEnd);
            if (xStart < xEnd) {
                ys = 0;
                ye = h - 1;
            } else {
                ys = Math.min(ys, yStart);
                ye = Math.max(ye, yEnd);
            }
        }
        return new double[]{xs, ys, (xe - xs + 1) & UINT, (ye - ys + 1) & UINT};
    }

    /** The compressed string of {@code rleToString}: LEB128-like, 6 bits per character in ASCII 48..111, counts from the third on stored as differences to the count two before. */
    public String toCompressedString() {
        StringBuilder s = new StringBuilder(counts.length * 2);
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i] & UINT;
            if (i > 2) x -= counts[i - 2] & UINT;
            boolean more = true;
            while (more) {
                int c = (int) (x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /** Parses a compressed string ({@code rleFrString}); the counts must cover {@code height * width} pixels. */
    public static Rle fromString(String s, int height, int width) {
        int[] cnts = new int[s.length()];
        int m = 0, p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= s.length()) throw new IllegalArgumentException("RLE string ends inside a count: '" + abbreviate(s) + "'");
                int ch = s.charAt(p);
                if (ch < 48 || ch > 111) throw new IllegalArgumentException("RLE string has character '" + (char) ch + "' outside '0'..'o' at " + p);
                int c = ch - 48;
                x |= (c & 0x1f) << 5 * k; // int shift as in C (the shift count wraps at 32)
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1 << 5 * k;
            }
            if (m > 2) x += cnts[m - 2] & UINT;
            cnts[m++] = (int) x;
        }
        return checked(new Rle(height, width, Arrays.copyOf(cnts, m)));
    }

    /** An uncompressed RLE ({@code {"counts": [..], "size": [h, w]}}); counts must be unsigned 32-bit and cover the mask. */
    public static Rle fromCounts(long[] counts, int height, int width) {
        int[] c = new int[counts.length];
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0 || counts[i] > UINT) throw new IllegalArgumentException("RLE count " + counts[i] + " at " + i + " is not an unsigned 32-bit value");
            c[i] = (int) counts[i];
        }
        return checked(new Rle(height, width, c));
    }

    /** The RLE itself, after checking that its counts sum to {@code height * width}. */
    static Rle checked(Rle r) {
        long sum = 0;
        for (int c : r.counts) sum += c & UINT;
        if (sum != (long) r.height * r.width) {
            throw new IllegalArgumentException("RLE counts sum to " + sum + " pixels but its size " + r.height + "x" + r.width + " has " + (long) r.height * r.width);
        }
        return r;
    }

    int count(int i) { return counts[i]; }

    int length() { return counts.length; }

    private static void checkMaskLength(int length, int height, int width) {
        if (length != (long) height * width) throw new IllegalArgumentException("mask has " + length + " values, size " + height + "x" + width + " needs " + (long) height * width);
    }

    private static String abbreviate(String s) { return s.length() <= 40 ? s : s.substring(0, 40) + "..."; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rle r && r.height == height && r.width == width && Arrays.equals(r.counts, counts);
    }

    @Override
    public int hashCode() { return 31 * (31 * height + width) + Arrays.hashCode(counts); }

    @Override
    public String toString() { return "Rle[" + height + "x" + width + ", " + abbreviate(toCompressedString()) + "]"; }

    @Override
    public int[] counts() { return counts.clone(); }
}
