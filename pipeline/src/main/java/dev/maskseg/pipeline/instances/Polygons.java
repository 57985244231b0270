package dev.maskseg.pipeline.instances;

import java.util.Arrays;

/**
 * Polygon and box rasterisation exactly as pycocotools' {@code rleFrPoly} / {@code rleFrBbox}: the vertices are
 * scaled by 5 and rounded, the boundary is walked densely on that grid, the points where it crosses a pixel
 * column centre are taken back to the image grid, and the RLE is built from those column boundaries. Double to int
 * conversions follow C on x86 (truncation toward zero; NaN and out-of-range give {@link Integer#MIN_VALUE}).
 */
public final class Polygons {
    private static final double SCALE = 5;
    private static final long MAX_BOUNDARY_POINTS = 1L << 25;

    private Polygons() {}

    /** The mask of a polygon {@code [x0, y0, x1, y1, ...]} in an {@code height x width} image; an odd trailing value is ignored. */
    public static Rle fromPolygon(double[] xy, int height, int width) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("polygon image size must be positive, got " + height + "x" + width);
        int k = xy.length / 2;
        for (int j = 0; j < 2 * k; j++) {
            if (!Double.isFinite(xy[j]) || Math.abs(xy[j]) > 2e8) throw new IllegalArgumentException("polygon coordinate " + xy[j] + " at " + j + " is not a finite value within +-2e8");
        }
        int[] x = new int[k + 1], y = new int[k + 1];
        for (int j = 0; j < k; j++) x[j] = cInt(SCALE * xy[2 * j] + .5);
        for (int j = 0; j < k; j++) y[j] = cInt(SCALE * xy[2 * j + 1] + .5);
        if (k > 0) {
            x[k] = x[0];
            y[k] = y[0];
        }
        long points = 0;
        for (int j = 0; j < k; j++) points += Math.max(Math.abs(x[j] - x[j + 1]), Math.abs(y[j] - y[j + 1])) + 1;
        if (points > MAX_BOUNDARY_POINTS) throw new IllegalArgumentException("polygon boundary too long to rasterise (" + points + " points)");
        int[] u = new int[(int) points], v = new int[(int) points];
        int m = 0;
        for (int j = 0; j < k; j++) {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.abs(xe - xs), dy = Math.abs(ys - ye);
            boolean flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) {
                int t = xs;
                xs = xe;
                xe = t;
                t = ys;
                ys = ye;
                ye = t;
            }
            double s = dx >= dy ? (double) (ye - ys) / dx : (double) (xe - xs) / dy;
            if (dx >= dy) {
                for (int d = 0; d <= dx; d++) {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs;
                    v[m] = cInt(ys + s * t + .5);
                    m++;
                }
            } else {
                for (int d = 0; d <= dy; d++) {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys;
                    u[m] = cInt(xs + s * t + .5);
                    m++;
                }
            }
        }
        // points on the column boundaries, back on the image grid
        int n = m;
        int[] bx = new int[n], by = new int[n];
        m = 0;
        for (int j = 1; j < n; j++) {
            if (u[j] == u[j - 1]) continue;
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / SCALE - .5;
            if (Math.floor(xd) != xd || xd < 0 || xd > width - 1) continue;
            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = (yd + .5) / SCALE - .5;
            if (yd < 0) yd = 0;
            else if (yd > height) yd = height;
            yd = Math.ceil(yd);
            bx[m] = cInt(xd);
            by[m] = cInt(yd);
            m++;
        }
        // RLE from the boundary points: sorted column-major positions, differences, empty runs folded
        long[] a = new long[m + 1];
        for (int j = 0; j < m; j++) a[j] = (bx[j] * height + by[j]) & 0xffffffffL;
        a[m] = ((long) height * width) & 0xffffffffL;
        Arrays.sort(a);
        long p = 0;
        for (int j = 0; j < a.length; j++) {
            long t = a[j];
            a[j] = (a[j] - p) & 0xffffffffL;
            p = t;
        }
        int[] b = new int[a.length];
        int j = 0;
        m = 0;
        b[m++] = (int) a[j++];
        while (j < a.length) {
            if (a[j] > 0) {
                b[m++] = (int) a[j++];
            } else {
                j++;
                if (j < a.length) b[m - 1] += (int) a[j++];
            }
        }
        return new Rle(height, width, Arrays.copyOf(b, m));
    }

    /** The mask of a box {@code [x, y, w, h]} ({@code rleFrBbox}: the polygon (x,y) (x,y+h) (x+w,y+h) (x+w,y)). */
    public static Rle fromBox(double[] box, int height, int width) {
        if (box.length != 4) throw new IllegalArgumentException("a box has 4 values [x, y, w, h], got " + box.length);
        double xs = box[0], xe = xs + box[2], ys = box[1], ye = ys + box[3];
        return fromPolygon(new double[]{xs, ys, xs, ye, xe, ye, xe, ys}, height, width);
    }

    /** C's {@code (int) d} on x86: truncation toward zero, and the "integer indefinite" value for NaN or out of range. */
    static int cInt(double d) {
        if (Double.isNaN(d) || d >= 2147483648.0 || d <= -2147483649.0) return Integer.MIN_VALUE;
        return (int) d;
    }
}
