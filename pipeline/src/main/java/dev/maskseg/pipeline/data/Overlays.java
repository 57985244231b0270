package dev.maskseg.pipeline.data;

import java.awt.image.BufferedImage;

/** Label maps drawn over their image: each label's colour blended in, 0 untouched, 255 (ignore) greyed. */
public final class Overlays {
    private static final int[][] PALETTE = {{0, 0, 0}, {230, 25, 75}, {60, 180, 75}, {255, 225, 25}, {0, 130, 200}, {245, 130, 48},
            {145, 30, 180}, {70, 240, 240}, {240, 50, 230}, {210, 245, 60}, {250, 190, 212}};

    private Overlays() {}

    /** The colour label {@code label} is tinted with (packed RGB; 0, background, is black but left untinted by {@link #rgb}). */
    public static int color(int label) {
        int[] c = PALETTE[label % PALETTE.length];
        return c[0] << 16 | c[1] << 8 | c[2];
    }

    /** Pixel {@code i} of the image tinted by the label's colour (0: untouched, 255: greyed), as packed RGB. */
    public static int rgb(Sample s, int i, int label) {
        int rgb = 0, n = s.width() * s.height();
        for (int ch = 0; ch < 3; ch++) {
            double v = s.rgb()[ch * n + i] * 255;
            if (label == 255) v = 0.5 * v + 127;
            else if (label > 0) v = 0.4 * v + 0.6 * PALETTE[label % PALETTE.length][ch];
            rgb = (rgb << 8) | (int) Math.max(0, Math.min(255, v));
        }
        return rgb;
    }

    /** The whole image with its labels overlaid. */
    public static BufferedImage image(Sample s, int[] labels) {
        BufferedImage ov = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < labels.length; i++) ov.setRGB(i % s.width(), i / s.width(), rgb(s, i, labels[i]));
        return ov;
    }
}
