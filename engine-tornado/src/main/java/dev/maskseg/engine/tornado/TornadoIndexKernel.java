package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.ArenaAccess.*;
import static dev.maskseg.engine.tornado.Meta.*;

/**
 * Device code of the indexing family: gather (one work-item per index element) and scatter_add (one work-item per
 * line along the dim, which it walks in order, so no two work-items write one element and the sums keep the
 * reference's order). An index out of range is flagged in the parameters, which these kernels copy back to the host;
 * host side {@link TornadoIndex}.
 */
final class TornadoIndexKernel {
    /** The view addressed through the index (gather's src, scatter_add's dst): offset, dtype, dim, size, strides. */
    static final int OTHER = EXTRA, OTHER_TYPE = EXTRA + 1, DIM = EXTRA + 2, SIZE = EXTRA + 3, OTHER_STRIDES = EXTRA + 4,
            COUNT = EXTRA + 4 + MAXR;

    private TornadoIndexKernel() {}

    /** The index as an int, or 0 after flagging it when it is outside [0, size). */
    static int checkedIndex(IntArray m, double v) {
        int size = m.get(SIZE);
        int idx = 0;
        if (v < 0 || v >= size) {
            m.set(ERR, 1);
            if (v < -2147483648.0) m.set(ERR_INDEX, -2147483648);
            else if (v > 2147483647.0) m.set(ERR_INDEX, 2147483647);
            else m.set(ERR_INDEX, (int) v);
        } else {
            idx = (int) v;
        }
        return idx;
    }

    /** Offset in the OTHER view of launch position i, with dim `skip` at coordinate c instead. */
    static int otherOffset(IntArray m, int i, int skip, int c) {
        int off = m.get(OTHER);
        for (int k = 0; k < m.get(RANK); k++) {
            int ck = k == skip ? c : coord(m, i, k);
            off += ck * m.get(OTHER_STRIDES + k);
        }
        return off;
    }

    /** Launch shape = index shape; view 0 index, view 1 out. */
    static void gather(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int src = otherOffset(m, i, m.get(DIM), checkedIndex(m, d.get(voff(m, 0, i))));
            store(f, d, vtype(m, 1), voff(m, 1, i), load(f, d, m.get(OTHER_TYPE), src));
        }
    }

    /** Launch shape = index shape with dim set to 1; view 0 index, view 1 src; OTHER = dst. */
    static void scatterAdd(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            int dim = m.get(DIM), count = m.get(COUNT), dt = m.get(OTHER_TYPE);
            int iOff = voff(m, 0, i), sOff = voff(m, 1, i), st = vtype(m, 1);
            int iStep = m.get(VIEW0 + 2 + dim), sStep = m.get(VIEW0 + VIEW_LEN + 2 + dim);
            for (int j = 0; j < count; j++) {
                int at = otherOffset(m, i, dim, checkedIndex(m, d.get(iOff + j * iStep)));
                store(f, d, dt, at, load(f, d, dt, at) + load(f, d, st, sOff + j * sStep));
            }
        }
    }
}
