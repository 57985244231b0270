package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.backend.View;

import static dev.maskseg.engine.aparapi.ArenaKernel.*;

/**
 * Host side of the indexing family: gather and scatter_add (index_select and index_add reach them through ops/Index),
 * with the kernels' bounds errors raised as {@link dev.maskseg.engine.backend.IndexRangeException}; device code in
 * {@link AparapiIndexKernel}.
 */
final class AparapiIndex extends DeviceOps {
    AparapiIndex(AparapiBackend be) {
        super(be);
    }

    /** EXTRA block: the view addressed through an index (offset, dtype, dim, size, strides). */
    private void extra(int[] m, View other, int dim) {
        m[EXTRA] = Launcher.at(other);
        m[EXTRA + 1] = AparapiStorage.code(other.dtype());
        m[EXTRA + 2] = dim;
        m[EXTRA + 3] = other.shape()[dim];
        for (int i = 0; i < other.rank(); i++) m[EXTRA + 4 + i] = other.strides()[i];
    }

    private static int[] withDimOne(int[] shape, int dim) {
        int[] s = shape.clone();
        s[dim] = 1;
        return s;
    }

    void gather(View src, int dim, View index, View out) {
        int[] m = l.strided(index.shape(), index, out);
        extra(m, src, dim);
        l.launch(OP_GATHER, 0, index.numel());
        l.checkIndexError("gather", dim, src.shape()[dim]);
    }

    void scatterAdd(View dst, int dim, View index, View src) {
        if (index.numel() == 0) return;
        int[] line = withDimOne(index.shape(), dim);
        int[] m = l.strided(line, index, src);
        extra(m, dst, dim);
        m[EXTRA + 14] = index.shape()[dim];
        l.launch(OP_SCATTER_ADD, 0, index.numel() / index.shape()[dim]);
        l.checkIndexError("scatter_add", dim, dst.shape()[dim]);
    }

}
