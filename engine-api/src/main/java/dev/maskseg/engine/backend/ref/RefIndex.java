package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.IndexRangeException;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

import static dev.maskseg.engine.backend.ref.RefPointwise.h;

/** gather and scatter_add with bounds checks that name the op. */
final class RefIndex {
    private RefIndex() {}

    private static int checked(long i, int size, String op, int dim) {
        if (i < 0 || i >= size) {
            throw new IndexRangeException(op, i, dim, size);
        }
        return (int) i;
    }

    static void gather(View src, int dim, View index, View out) {
        HostStorage s = h(src), ix = h(index), o = h(out);
        Cursor c = new Cursor(index.shape(), index, out);
        int size = src.shape()[dim], n = index.numel();
        for (int i = 0; i < n; i++, c.next()) {
            int off = src.offset();
            for (int d = 0; d < src.rank(); d++) {
                int coord = d == dim ? checked(ix.getLong(c.off[0]), size, "gather", dim) : c.index(d);
                off += coord * src.strides()[d];
            }
            o.set(c.off[1], s.get(off));
        }
    }

    static void scatterAdd(View dst, int dim, View index, View src) {
        HostStorage d = h(dst), ix = h(index), s = h(src);
        Cursor c = new Cursor(index.shape(), index, src);
        int size = dst.shape()[dim], n = index.numel();
        for (int i = 0; i < n; i++, c.next()) {
            int off = dst.offset();
            for (int k = 0; k < dst.rank(); k++) {
                int coord = k == dim ? checked(ix.getLong(c.off[0]), size, "scatter_add", dim) : c.index(k);
                off += coord * dst.strides()[k];
            }
            d.set(off, d.get(off) + s.get(c.off[1]));
        }
    }
}
