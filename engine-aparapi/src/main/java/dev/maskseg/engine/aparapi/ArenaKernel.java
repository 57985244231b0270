package dev.maskseg.engine.aparapi;

import com.aparapi.Kernel;

/**
 * The state every device kernel shares: the two memory arenas ({@link #f} for float32, {@link #d} for every other
 * dtype), the launch parameters ({@link #meta}: offsets, shapes, strides, written by the host-side family classes and
 * {@link Launcher}), the staging buffers of host transfers, the index-error flag, the op codes, and element access by
 * dtype and strided position.
 *
 * <p>Aparapi translates this bytecode (and that of its subclasses) to OpenCL C: only primitive locals, field arrays,
 * calls to methods of the kernel's class hierarchy and Kernel's math intrinsics are allowed; control flow is kept to
 * plain loops and if/else with single returns, which its decompiler handles.
 */
abstract class ArenaKernel extends Kernel {
    static final int OP_FILL = 1, OP_COPY = 2, OP_UNARY = 3, OP_BINARY = 4, OP_WHERE = 5, OP_REDUCE = 6,
            OP_SOFTMAX = 7, OP_LAYERNORM = 8, OP_LN_BWD_X = 9, OP_LN_BWD_WB = 10, OP_GEMM = 11,
            OP_IM2COL = 12, OP_COL2IM = 13, OP_MAXPOOL = 14, OP_AVGPOOL = 15, OP_AVGPOOL_BWD = 16,
            OP_ADAPTIVE = 17, OP_ADAPTIVE_BWD = 18, OP_RESIZE = 19, OP_RESIZE_BWD = 20,
            OP_GATHER = 21, OP_SCATTER_ADD = 22, OP_STAGE_OUT = 23, OP_STAGE_IN = 24,
            OP_ROI_ALIGN = 25, OP_ROI_ALIGN_BWD = 26;

    /** dtype codes: where an element lives and how a store rounds it. */
    static final int DT_F32 = 0, DT_F64 = 1, DT_INT = 2, DT_U8 = 3, DT_BOOL = 4;

    /** Strided layout: rank, shape[MAXR], then per view {offset, dtype, strides[MAXR]}. */
    static final int MAXR = 8, SHAPE = 1, VIEW0 = 1 + MAXR, VIEW_LEN = 2 + MAXR, EXTRA = 60;

    float[] f = new float[1];
    double[] d = new double[1];
    int[] meta = new int[128];
    float[] fs = new float[1];
    double[] ds = new double[1];
    /** err[0] != 0 after a launch: an index was out of range (err[1] holds it). */
    int[] err = new int[2];

    int op, sub, n;
    double p1, p2;

    double load(int dtype, int off) {
        double v = 0;
        if (dtype == DT_F32) v = f[off];
        else v = d[off];
        return v;
    }

    void store(int dtype, int off, double v) {
        if (dtype == DT_F32) f[off] = (float) v;
        else if (dtype == DT_F64) d[off] = v;
        else if (dtype == DT_INT) d[off] = (double) ((long) v);
        else if (dtype == DT_U8) d[off] = (double) (((int) v) & 255);
        else d[off] = v != 0 ? 1.0 : 0.0;
    }

    int vtype(int v) { return meta[VIEW0 + v * VIEW_LEN + 1]; }

    /** Element offset of view v at row-major position i of the launch shape. */
    int voff(int v, int i) {
        int base = VIEW0 + v * VIEW_LEN;
        int off = meta[base];
        int rem = i;
        for (int k = meta[0] - 1; k >= 0; k--) {
            int s = meta[SHAPE + k];
            off += (rem % s) * meta[base + 2 + k];
            rem = rem / s;
        }
        return off;
    }

    /** Coordinate of position i along dim k of the launch shape. */
    int coord(int i, int k) {
        int rem = i;
        for (int j = meta[0] - 1; j > k; j--) rem = rem / meta[SHAPE + j];
        return rem % meta[SHAPE + k];
    }

    /** Copies n elements between an arena (sub 0: f, 1: d) at meta[0] and its staging buffer (fs, ds). */
    void stageOutAt(int i) {
        if (sub == 0) fs[i] = f[meta[0] + i];
        else ds[i] = d[meta[0] + i];
    }

    void stageInAt(int i) {
        if (sub == 0) f[meta[0] + i] = fs[i];
        else d[meta[0] + i] = ds[i];
    }
}
