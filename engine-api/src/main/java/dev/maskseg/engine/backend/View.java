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
