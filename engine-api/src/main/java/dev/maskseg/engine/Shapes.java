package dev.maskseg.engine;

import dev.maskseg.engine.storage.HostStorage;

import java.util.Arrays;

/** Shape arithmetic: broadcasting, dim wrapping and checks whose errors name the op and shapes. */
public final class Shapes {
    private Shapes() {}

    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= s;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n + " elements, over the 2^31 limit");
        }
        return (int) n;
    }

    public static int wrapDim(int d, int rank) {
        int w = d < 0 ? d + rank : d;
        if (w < 0 || w >= Math.max(rank, 1)) throw new IndexOutOfBoundsException("dim " + d + " out of range for rank " + rank);
        return w;
    }

    public static int checkIndex(int i, int size, String op) {
        int w = i < 0 ? i + size : i;
        if (w < 0 || w >= size) throw new IndexOutOfBoundsException(op + ": index " + i + " out of range for size " + size);
        return w;
    }

    public static int[] allDims(int rank) {
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) d[i] = i;
        return d;
    }

    public static int[] inferShape(int[] shape, int numel) {
        int[] s = shape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one -1 allowed in shape " + Arrays.toString(shape));
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is invalid for " + numel + " elements");
            }
            s[infer] = numel / known;
        }
        if (numel(s) != numel) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is invalid for " + numel + " elements");
        return s;
    }

    public static int[] checkPermutation(int[] dims, int rank) {
        if (dims.length != rank) throw new IllegalArgumentException("permute: " + Arrays.toString(dims) + " for rank " + rank);
        int[] p = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = wrapDim(dims[i], rank);
            if (seen[p[i]]) throw new IllegalArgumentException("permute: repeated dim in " + Arrays.toString(dims));
            seen[p[i]] = true;
        }
        return p;
    }

    /** NumPy broadcasting of two shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides that view (shape, strides) as target, 0 on broadcast dims. */
    public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        if (target.length < shape.length) {
            throw new IllegalArgumentException("expand: cannot expand " + Arrays.toString(shape) + " to " + Arrays.toString(target));
        }
        int lead = target.length - shape.length;
        int[] st = new int[target.length];
        for (int i = 0; i < target.length; i++) {
            if (i < lead) continue;
            int s = shape[i - lead];
            if (s == target[i]) st[i] = strides[i - lead];
            else if (s == 1) st[i] = 0;
            else throw new IllegalArgumentException("expand: cannot expand " + Arrays.toString(shape) + " to " + Arrays.toString(target));
        }
        return st;
    }

    public static int[] remove(int[] a, int i) {
        int[] r = new int[a.length - 1];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - i - 1);
        return r;
    }

    public static int[] insert(int[] a, int i, int v) {
        int[] r = new int[a.length + 1];
        System.arraycopy(a, 0, r, 0, i);
        r[i] = v;
        System.arraycopy(a, i, r, i + 1, a.length - i);
        return r;
    }

    public static HostStorage copyHost(HostStorage h) {
        return switch (h) {
            case HostStorage.F32 f -> new HostStorage.F32(f.data.clone());
            case HostStorage.F64 f -> new HostStorage.F64(f.data.clone());
            case HostStorage.I64 f -> new HostStorage.I64(f.data.clone());
            case HostStorage.I32 f -> new HostStorage.I32(f.data.clone());
            case HostStorage.U8 f -> new HostStorage.U8(f.data.clone(), f.dtype());
        };
    }
}
