package dev.maskseg.engine.tornado;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.View;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.util.Arrays;

/**
 * What the host side of every op family shares: the arena, the parameter layout of strided launches, and the small
 * launches they all need (zeroing, a contiguous copy, a temporary). Families are called by {@link TornadoBackend} with
 * its lock held. Never keep {@link #plan()} across an allocation: a growing arena replaces it.
 */
abstract class DeviceOps {
    static final int GROUP = 64;

    final DeviceArena arena;

    DeviceOps(DeviceArena arena) {
        this.arena = arena;
    }

    KernelPlan plan() { return arena.plan(); }

    /** Arena position of a view's first element. */
    static int at(View v) { return ((TornadoStorage) v.storage()).offset + v.offset(); }

    static void requireF32(String op, View... views) {
        for (View v : views) {
            if (v != null && v.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException("tornado " + op + ": float32 tensors only, got " + v.dtype()
                        + " of shape " + Arrays.toString(v.shape()));
            }
        }
    }

    /** Cleared parameters of the next launch. */
    IntArray meta() { return plan().meta(); }

    /** Writes a strided layout over `shape` into the parameters: each view as {offset, dtype, strides...}. */
    IntArray strided(int[] shape, View... views) {
        int[][] strides = new int[views.length][];
        for (int v = 0; v < views.length; v++) strides[v] = views[v].strides();
        return strided(shape, views, strides);
    }

    IntArray strided(int[] shape, View[] views, int[][] strides) {
        if (shape.length > Meta.MAXR) {
            throw new IllegalArgumentException("tornado: tensors of rank " + shape.length + " > " + Meta.MAXR
                    + " are not supported (shape " + Arrays.toString(shape) + ")");
        }
        IntArray m = meta();
        m.set(Meta.RANK, shape.length);
        for (int i = 0; i < shape.length; i++) m.set(Meta.SHAPE + i, shape[i]);
        for (int v = 0; v < views.length; v++) {
            int base = Meta.VIEW0 + v * Meta.VIEW_LEN;
            m.set(base, at(views[v]));
            m.set(base + 1, TornadoStorage.code(views[v].dtype()));
            for (int i = 0; i < shape.length; i++) m.set(base + 2 + i, strides[v][i]);
        }
        return m;
    }

    /** Sets consecutive int parameters from slot Meta.ARG on. */
    static void args(IntArray m, int... values) {
        for (int i = 0; i < values.length; i++) m.set(Meta.ARG + i, values[i]);
    }

    void launch(Kernel k, int n) { plan().launch1d(k, n, GROUP); }

    /** One work-group of `local` work-items (a power of two up to the kernel's local arrays) per output. */
    void launchGroups(Kernel k, int groups, int local) {
        if (groups <= 0) return;
        plan().meta.set(Meta.N, groups);
        plan().launch(k, groups * local, 1, 1, local, 1, 1);
    }

    /** The work-group for reducing `n` elements per output: a power of two, at most the kernel's and the device's limit. */
    int reductionGroup(int n, int kernelMax) { return groupFor(n, Math.min(kernelMax, arena.reductionGroup())); }

    /** The power-of-two group size for reducing `n` elements: n rounded up, at most `max`. */
    static int groupFor(int n, int max) {
        int g = 1;
        while (g < n && g < max) g <<= 1;
        return g;
    }

    void zero(View v) {
        int[] flat = {v.numel()};
        if (v.isContiguous()) strided(flat, new View[]{v}, new int[][]{{1}});
        else strided(v.shape(), v);
        plan().params.set(0, 0);
        launch(Kernel.FILL, v.numel());
    }

    /** The view itself when contiguous, else a contiguous device copy. */
    View dense(View v) {
        if (v.isContiguous()) return v;
        TornadoStorage s = arena.allocate(v.dtype(), v.numel());
        View out = new View(s, 0, v.shape(), View.contiguousStrides(v.shape()));
        strided(v.shape(), v, out);
        launch(Kernel.COPY, v.numel());
        return out;
    }

    View temp(int... shape) { return temp(DType.FLOAT32, shape); }

    View temp(DType dtype, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return new View(arena.allocate(dtype, n), 0, shape, View.contiguousStrides(shape));
    }

    /** Uploads host doubles into a new double-arena block and returns its arena position (for lookup tables). */
    int uploadTable(double[] values) {
        TornadoStorage s = arena.allocate(DType.FLOAT64, Math.max(1, values.length));
        plan().upload(values, 0, s.offset, values.length);
        return s.offset;
    }

    /** The whole float arena as a storage, for views at raw arena positions (never allocated, never released). */
    private static final TornadoStorage FLOAT_ARENA = new TornadoStorage(DType.FLOAT32, Integer.MAX_VALUE, 0);

    /** A float32 view at a raw arena position. */
    static View arenaView(int at, int[] shape, int[] strides) { return new View(FLOAT_ARENA, at, shape, strides); }

    /** N * C of an NCHW view. */
    static int planes(View v) { return v.shape()[0] * v.shape()[1]; }
}
