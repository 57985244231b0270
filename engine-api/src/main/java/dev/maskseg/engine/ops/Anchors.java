package dev.maskseg.engine.ops;

import dev.maskseg.engine.Tensor;

/**
 * detectron2's DefaultAnchorGenerator for one feature level (docs/methods.md §3.4): cell anchors size-major
 * (a = size index · ratios + ratio index), w = sqrt(size² / ratio), h = ratio · w in double, then float32; the grid in
 * (y, x, a) order, anchor (y·width + x)·A + a being cell anchor a shifted by (x·stride, y·stride) from
 * offset · stride. Built on the host (a few thousand rows) as float32.
 */
public final class Anchors {
    private Anchors() {}

    /** [len(sizes)·len(ratios), 4] anchors centred on 0: (−w/2, −h/2, w/2, h/2). */
    public static float[] cellAnchors(double[] sizes, double[] ratios) {
        float[] out = new float[sizes.length * ratios.length * 4];
        int a = 0;
        for (double size : sizes)
            for (double ratio : ratios) {
                if (!(size > 0) || !(ratio > 0)) throw new IllegalArgumentException("anchors: size " + size + " and ratio " + ratio + " must be positive");
                double w = Math.sqrt(size * size / ratio), h = ratio * w;
                out[a++] = (float) (-w / 2.0);
                out[a++] = (float) (-h / 2.0);
                out[a++] = (float) (w / 2.0);
                out[a++] = (float) (h / 2.0);
            }
        return out;
    }

    /** [height·width·A, 4] anchors of a height x width feature map with the given stride. */
    public static Tensor grid(int height, int width, double stride, double[] sizes, double[] ratios, double offset) {
        if (height < 0 || width < 0) throw new IllegalArgumentException("anchors: feature map " + height + "x" + width);
        float[] cell = cellAnchors(sizes, ratios);
        int a = cell.length / 4;
        float[] out = new float[height * width * a * 4];
        int at = 0;
        for (int y = 0; y < height; y++) {
            float sy = (float) (offset * stride + y * stride);
            for (int x = 0; x < width; x++) {
                float sx = (float) (offset * stride + x * stride);
                for (int k = 0; k < a; k++) {
                    out[at++] = sx + cell[4 * k];
                    out[at++] = sy + cell[4 * k + 1];
                    out[at++] = sx + cell[4 * k + 2];
                    out[at++] = sy + cell[4 * k + 3];
                }
            }
        }
        return Tensor.of(out, height * width * a, 4);
    }
}
