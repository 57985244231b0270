package dev.maskseg.zoo.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * Four-channel JPEGs to RGB as Pillow does it (it reads every CMYK JPEG as inverted "CMYK;I" and converts with
 * R = (255 - C)(255 - K)/255): in terms of the decoder's CMYK samples s, R = s_C · s_K / 255, likewise G and B. A YCCK
 * JPEG (Adobe transform 2) first has its Y, Cb, Cr turned into C = 255 - R' (JFIF's YCbCr to RGB), as libjpeg does.
 */
final class CmykJpeg {
    private CmykJpeg() {}

    /** {@code raster}: the JPEG's four raw channels (ImageIO's readRaster does no colour conversion). */
    static BufferedImage toRgb(Raster raster, boolean ycck) {
        int w = raster.getWidth(), h = raster.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[4 * w], row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, px);
            for (int x = 0; x < w; x++) {
                int a = px[4 * x], b = px[4 * x + 1], c = px[4 * x + 2], k = px[4 * x + 3];
                if (ycck) {
                    int r = clamp(a + 1.402 * (c - 128)), g = clamp(a - 0.344136 * (b - 128) - 0.714136 * (c - 128)), bl = clamp(a + 1.772 * (b - 128));
                    a = 255 - r;
                    b = 255 - g;
                    c = 255 - bl;
                }
                row[x] = (mulDiv255(a, k) << 16) | (mulDiv255(b, k) << 8) | mulDiv255(c, k);
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    private static int clamp(double v) { return (int) Math.max(0, Math.min(255, Math.round(v))); }

    /** a·b/255 rounded, as Pillow's MULDIV255. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }
}
