package dev.maskseg.pipeline.data;

import java.awt.image.BufferedImage;

/** An RGB image in [0, 1] (planar CHW) with a per-pixel byte map (a 0/1 mask or class labels), same size. */
public record Sample(float[] rgb, byte[] mask, int width, int height) {
    public Sample {
        if (rgb.length != 3 * width * height || mask.length != width * height) {
            throw new IllegalArgumentException("sample " + width + "x" + height + " with " + rgb.length + " colour values and " + mask.length + " mask values");
        }
    }

    public static Sample of(BufferedImage img, byte[] mask) {
        int w = img.getWidth(), h = img.getHeight(), n = w * h;
        float[] rgb = new float[3 * n];
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < n; i++) {
            rgb[i] = ((argb[i] >> 16) & 255) / 255f;
            rgb[n + i] = ((argb[i] >> 8) & 255) / 255f;
            rgb[2 * n + i] = (argb[i] & 255) / 255f;
        }
        return new Sample(rgb, mask, w, h);
    }

    public double maskFraction() {
        long s = 0;
        for (byte b : mask) s += b != 0 ? 1 : 0;
        return (double) s / mask.length;
    }
}
