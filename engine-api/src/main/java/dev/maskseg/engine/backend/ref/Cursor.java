package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.View;

/**
 * Row-major odometer over a shape that keeps the element offset of several strided views in step.
 * Usage: {@code for (int i = 0; i < n; i++, c.next()) use(c.off[0], c.off[1]);}
 */
public final class Cursor {
    public final int[] off;
    private final int[] shape;
    private final int[][] strides;
    private final int[] idx;

    public Cursor(int[] shape, View... views) {
        this.shape = shape;
        this.idx = new int[shape.length];
        this.off = new int[views.length];
        this.strides = new int[views.length][];
        for (int v = 0; v < views.length; v++) {
            off[v] = views[v].offset();
            strides[v] = views[v].strides();
        }
    }

    /** Same, over the leading {@code shape.length} dims of views with explicit strides and offsets. */
    public Cursor(int[] shape, int[][] strides, int[] offsets) {
        this.shape = shape;
        this.idx = new int[shape.length];
        this.off = offsets.clone();
        this.strides = strides;
    }

    public void next() {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) {
                for (int v = 0; v < off.length; v++) off[v] += strides[v][d];
                return;
            }
            idx[d] = 0;
            for (int v = 0; v < off.length; v++) off[v] -= strides[v][d] * (shape[d] - 1);
        }
    }

    public int index(int dim) { return idx[dim]; }
}
