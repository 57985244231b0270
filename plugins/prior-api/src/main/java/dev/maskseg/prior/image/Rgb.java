package dev.maskseg.prior.image;

import java.awt.image.BufferedImage;

/** 8-bit RGB pixels, interleaved row-major ({@code [y][x][c]}), and their CIE-Lab form. */
public final class Rgb {
    private Rgb() {}

    public static int[] pixels(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        int[] out = new int[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            out[3 * i] = (argb[i] >> 16) & 255;
            out[3 * i + 1] = (argb[i] >> 8) & 255;
            out[3 * i + 2] = argb[i] & 255;
        }
        return out;
    }

    /** sRGB (0..255) to CIE-Lab under D65 as scikit-image's rgb2lab: L in 0..100. Interleaved like the input. */
    public static float[] lab(int[] rgb) {
        float[] out = new float[rgb.length];
        double[] lab = new double[3];
        for (int i = 0; i < rgb.length; i += 3) {
            lab(rgb[i] / 255.0, rgb[i + 1] / 255.0, rgb[i + 2] / 255.0, lab);
            out[i] = (float) lab[0];
            out[i + 1] = (float) lab[1];
            out[i + 2] = (float) lab[2];
        }
        return out;
    }

    public static void lab(double r, double g, double b, double[] out) {
        r = linear(r);
        g = linear(g);
        b = linear(b);
        double x = (0.412453 * r + 0.357580 * g + 0.180423 * b) / 0.95047;
        double y = 0.212671 * r + 0.715160 * g + 0.072169 * b;
        double z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883;
        double fx = f(x), fy = f(y), fz = f(z);
        out[0] = 116 * fy - 16;
        out[1] = 500 * (fx - fy);
        out[2] = 200 * (fy - fz);
    }

    private static double linear(double c) { return c > 0.04045 ? Math.pow((c + 0.055) / 1.055, 2.4) : c / 12.92; }

    private static double f(double t) { return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16.0 / 116; }
}
