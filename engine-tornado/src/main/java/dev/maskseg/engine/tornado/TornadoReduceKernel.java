package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.ArenaAccess.*;
import static dev.maskseg.engine.tornado.Meta.*;

/**
 * Device code of the reduction family; host side {@link TornadoReduce}. Sum/max/min reduce each output's elements in
 * one work-group: each work-item folds a strided share, then a tree in local memory combines the partials (with the
 * arg index: the first extreme, a NaN before any number, as the reference). Top-k ranks every element of a row
 * against the row (ties by lower index) and writes the k best in order.
 */
final class TornadoReduceKernel {
    /** Largest work-group of a reduction (its local arrays' size). */
    static final int LOCAL = 128;
    /** Reduce parameters after the strided layout (src view 0 over the outer shape, dst view 1). */
    static final int INNER_RANK = EXTRA, INNER_SHAPE = EXTRA + 1, INNER_STRIDES = EXTRA + 1 + MAXR,
            INNER_N = EXTRA + 1 + 2 * MAXR, HAS_INDEX = INNER_N + 1, INDEX_AT = INNER_N + 2;
    /** Top-k parameters after the strided layout (src view 0 over the rows). */
    static final int TOPK_LEN = EXTRA, TOPK_STRIDE = EXTRA + 1, TOPK_K = EXTRA + 2, TOPK_LARGEST = EXTRA + 3,
            TOPK_VALUES = EXTRA + 4, TOPK_VALUES_TYPE = EXTRA + 5, TOPK_INDICES = EXTRA + 6;

    private TornadoReduceKernel() {}

    /**
     * Whether v replaces the current extreme a of a MAX (op 1) or MIN (op 2) scan. NaN tests stand alone as branch
     * conditions: TornadoVM 5.2 negates a materialized boolean such as {@code v != v && a == a} wrongly (it flips the
     * operator of a De Morgan rewrite but not the comparisons).
     */
    static boolean better(int op, double v, double a) {
        int r = 0;
        if (op == 1) {
            if (v > a) r = 1;
        } else {
            if (v < a) r = 1;
        }
        if (v != v) {
            if (a == a) r = 1;
        }
        return r != 0;
    }

    /** v == a, NaN equal to NaN. */
    static boolean same(double v, double a) {
        int r = 0;
        if (v == a) r = 1;
        if (v != v) {
            if (a != a) r = 1;
        }
        return r != 0;
    }

    static int innerOffset(IntArray m, int i) {
        int off = 0;
        int rem = i;
        for (int k = m.get(INNER_RANK) - 1; k >= 0; k--) {
            int s = m.get(INNER_SHAPE + k);
            off += (rem % s) * m.get(INNER_STRIDES + k);
            rem = rem / s;
        }
        return off;
    }

    /** One work-group per output; the ReduceOp ordinal at OP (SUM, MAX, MIN). */
    static void reduce(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        double[] acc = kc.allocateDoubleLocalArray(LOCAL);
        int[] arg = kc.allocateIntLocalArray(LOCAL);
        int o = kc.groupIdx, lid = kc.localIdx, ls = kc.localGroupSizeX;
        int op = m.get(OP), innerN = m.get(INNER_N), dt = vtype(m, 0);
        int base = voff(m, 0, o);
        double a = 0.0;
        if (op == 1) a = Double.NEGATIVE_INFINITY;
        if (op == 2) a = Double.POSITIVE_INFINITY;
        int best = -1;
        for (int i = lid; i < innerN; i += ls) {
            double v = load(f, d, dt, base + innerOffset(m, i));
            if (op == 0) {
                a += v;
            } else if (best < 0 || better(op, v, a)) {
                a = v;
                best = i;
            }
        }
        acc[lid] = a;
        arg[lid] = best;
        for (int s = ls / 2; s > 0; s /= 2) {
            kc.localBarrier();
            if (lid < s) {
                if (op == 0) {
                    acc[lid] = acc[lid] + acc[lid + s];
                } else {
                    int ia = arg[lid], ib = arg[lid + s];
                    double va = acc[lid], vb = acc[lid + s];
                    if (ib >= 0 && (ia < 0 || better(op, vb, va) || (same(vb, va) && ib < ia))) {
                        acc[lid] = vb;
                        arg[lid] = ib;
                    }
                }
            }
        }
        if (lid == 0) {
            store(f, d, vtype(m, 1), m.get(VIEW0 + VIEW_LEN) + o, acc[0]);
            if (m.get(HAS_INDEX) != 0) d.set(m.get(INDEX_AT) + o, arg[0] < 0 ? 0 : arg[0]);
        }
    }

    /** Double.compare's order: -0.0 below 0.0, NaN above everything and equal to itself. */
    static int compare(double a, double b) {
        int r = 0;
        if (a < b) r = -1;
        else if (a > b) r = 1;
        else if (a != a) {
            r = 1;
            if (b != b) r = 0;
        } else if (b != b) r = -1;
        else if (a == 0.0) {
            boolean an = 1.0 / a < 0, bn = 1.0 / b < 0;
            if (an && !bn) r = -1;
            if (bn && !an) r = 1;
        }
        return r;
    }

    /** One work-item per element of each row: its rank in the row's order; the k first are written. */
    static void topk(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int len = m.get(TOPK_LEN), stride = m.get(TOPK_STRIDE), k = m.get(TOPK_K), dt = vtype(m, 0);
            int row = i / len, j = i % len;
            int base = voff(m, 0, row);
            double v = load(f, d, dt, base + j * stride);
            int sign = m.get(TOPK_LARGEST) != 0 ? 1 : -1;
            int rank = 0;
            for (int q = 0; q < len; q++) {
                int c = sign * compare(load(f, d, dt, base + q * stride), v);
                if (c > 0 || (c == 0 && q < j)) rank++;
            }
            if (rank < k) {
                store(f, d, m.get(TOPK_VALUES_TYPE), m.get(TOPK_VALUES) + row * k + rank, v);
                d.set(m.get(TOPK_INDICES) + row * k + rank, j);
            }
        }
    }
}
