package dev.maskseg.engine.aparapi;

/**
 * Device code of the indexing family: gather, scatter_add, index_select, index_add with bounds errors flagged for the
 * host; host side {@link AparapiIndex}.
 */
abstract class AparapiIndexKernel extends AparapiResizeKernel {
    // indexing; EXTRA: other offset, dtype, dim, size, strides[MAXR], index offset, index stride, count, dimStride

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

    /** Launch shape = out shape; view 0 out; EXTRA src; index 1-D. */
    void indexSelectAt(int i) {
        int dim = meta[EXTRA + 2];
        int c = checkedIndex(d[meta[EXTRA + 12] + coord(i, dim) * meta[EXTRA + 13]]);
        store(vtype(0), voff(0, i), load(meta[EXTRA + 1], extraOff(i, dim, c)));
    }

    /** Launch shape = src shape with dim set to 1; view 0 src; EXTRA dst; index 1-D of length count. */
    void indexAddLine(int i) {
        int dim = meta[EXTRA + 2], count = meta[EXTRA + 14], sStep = meta[EXTRA + 15];
        int sOff = voff(0, i), dt = meta[EXTRA + 1];
        for (int j = 0; j < count; j++) {
            int c = checkedIndex(d[meta[EXTRA + 12] + j * meta[EXTRA + 13]]);
            int at = extraOff(i, dim, c);
            store(dt, at, load(dt, at) + load(vtype(0), sOff + j * sStep));
        }
    }
}
