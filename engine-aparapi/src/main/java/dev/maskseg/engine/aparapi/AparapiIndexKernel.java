package dev.maskseg.engine.aparapi;

/**
 * Device code of the indexing family: gather and scatter_add, with bounds errors flagged for the host; host side
 * {@link AparapiIndex}.
 */
abstract class AparapiIndexKernel extends AparapiResizeKernel {
    // EXTRA: the indexed view (offset, dtype, dim, size, strides[MAXR]); scatter_add's count at EXTRA + 14

    private int checkedIndex(double v) {
        int size = meta[EXTRA + 3];
        int idx = (int) v;
        if (idx < 0 || idx >= size) {
            err[0] = 1;
            err[1] = idx;
            idx = 0;
        }
        return idx;
    }

    /** Offset in the EXTRA view of launch position i, with dim `skip` contributing c instead. */
    private int extraOff(int i, int skip, int c) {
        int off = meta[EXTRA];
        for (int k = 0; k < meta[0]; k++) {
            int ck = k == skip ? c : coord(i, k);
            off += ck * meta[EXTRA + 4 + k];
        }
        return off;
    }

    /** Launch shape = index shape; view 0 index, view 1 out. */
    void gatherAt(int i) {
        int dim = meta[EXTRA + 2];
        int src = extraOff(i, dim, checkedIndex(d[voff(0, i)]));
        store(vtype(1), voff(1, i), load(meta[EXTRA + 1], src));
    }

    /** Launch shape = index shape with dim set to 1; view 0 index, view 1 src; EXTRA dst. */
    void scatterAddLine(int i) {
        int dim = meta[EXTRA + 2], count = meta[EXTRA + 14];
        int iOff = voff(0, i), sOff = voff(1, i);
        int iStep = meta[VIEW0 + 2 + dim], sStep = meta[VIEW0 + VIEW_LEN + 2 + dim];
        int dt = meta[EXTRA + 1];
        for (int j = 0; j < count; j++) {
            int at = extraOff(i, dim, checkedIndex(d[iOff + j * iStep]));
            store(dt, at, load(dt, at) + load(vtype(1), sOff + j * sStep));
        }
    }

}
