package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.IndexRangeException;
import dev.maskseg.engine.backend.View;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.TornadoIndexKernel.*;

/**
 * Host side of the indexing family: gather and scatter_add (index_select and index_add reach them through ops/Index),
 * with the kernels' bounds errors raised as {@link IndexRangeException}; device code in {@link TornadoIndexKernel}.
 */
final class TornadoIndex extends DeviceOps {
    TornadoIndex(DeviceArena arena) {
        super(arena);
    }

    private static void other(IntArray m, View other, int dim) {
        m.set(OTHER, at(other));
        m.set(OTHER_TYPE, TornadoStorage.code(other.dtype()));
        m.set(DIM, dim);
        m.set(SIZE, other.shape()[dim]);
        for (int i = 0; i < other.rank(); i++) m.set(OTHER_STRIDES + i, other.strides()[i]);
    }

    void gather(View src, int dim, View index, View out) {
        other(strided(index.shape(), index, out), src, dim);
        launch(Kernel.GATHER, index.numel());
        checkIndexError("gather", dim, src.shape()[dim]);
    }

    void scatterAdd(View dst, int dim, View index, View src) {
        if (index.numel() == 0) return;
        int[] line = index.shape().clone();
        line[dim] = 1;
        IntArray m = strided(line, index, src);
        other(m, dst, dim);
        m.set(COUNT, index.shape()[dim]);
        launch(Kernel.SCATTER_ADD, index.numel() / index.shape()[dim]);
        checkIndexError("scatter_add", dim, dst.shape()[dim]);
    }

    private void checkIndexError(String op, int dim, int size) {
        IntArray m = plan().meta;
        if (m.get(Meta.ERR) != 0) throw new IndexRangeException(op, m.get(Meta.ERR_INDEX), dim, size);
    }
}
