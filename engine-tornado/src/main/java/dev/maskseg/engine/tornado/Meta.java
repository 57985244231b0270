package dev.maskseg.engine.tornado;

/**
 * Where a launch's parameters sit in the kernels' {@code IntArray} (host side writes them, kernels read them). Every
 * kernel reads its work-item count at {@link #N}; strided kernels read a layout (rank, shape, then per view its
 * offset, dtype and strides); the others use slots from {@link #ARG} on, named in their family's kernel class. The
 * double parameters of an op (fill value, eps, unary parameters) travel in a small {@code DoubleArray}.
 */
final class Meta {
    static final int SIZE = 128, PARAMS = 4;

    /** Work-items (or outputs) of the launch: kernels return early past it. */
    static final int N = 0;
    /** Op code within a kernel (a UnaryOp/BinaryOp/ReduceOp ordinal, or a flag). */
    static final int OP = 1;
    /** First slot of a non-strided kernel's own arguments. */
    static final int ARG = 2;

    /** Strided layout: rank, shape[MAXR], then per view {offset, dtype, strides[MAXR]}; EXTRA follows the 4th view. */
    static final int MAXR = 8, RANK = 2, SHAPE = 3, VIEW0 = SHAPE + MAXR, VIEW_LEN = 2 + MAXR, EXTRA = VIEW0 + 4 * VIEW_LEN;

    /** Set by a kernel that met an out-of-range index (index kernels copy the array back): flag and the index. */
    static final int ERR = SIZE - 2, ERR_INDEX = SIZE - 1;

    /** dtype codes: float32 lives in the float arena, every other dtype in the double arena (integers exact to 2^53). */
    static final int DT_F32 = 0, DT_F64 = 1, DT_INT = 2, DT_U8 = 3, DT_BOOL = 4;

    private Meta() {}
}
