package dev.maskseg.engine.backend;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.storage.Storage;

/** What a backend sees of a tensor: a storage plus a strided window into it. */
public record View(Storage storage, int offset, int[] shape, int[] strides) {

    public DType dtype() { return storage.dtype(); }

    public int rank() { return shape.length; }

    public int numel() {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /** Row-major dense, so element i lives at offset + i. */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /** A matrix's transpose: the same elements with its two dims and strides swapped. */
    public View transpose2d() {
        return new View(storage, offset, new int[]{shape[1], shape[0]}, new int[]{strides[1], strides[0]});
    }

    /** A vector [n] read as every row of a [rows, n] matrix (row stride 0). */
    public View asRows(int rows) {
        return new View(storage, offset, new int[]{rows, shape[0]}, new int[]{0, strides[0]});
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= shape[d];
        }
        return st;
    }
}
