package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.ReduceOp;
import dev.maskseg.engine.backend.View;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.util.Arrays;

import static dev.maskseg.engine.tornado.TornadoReduceKernel.*;

/** Host side of the reduction family: sum/max/min with arg indices, and top-k; device code in {@link TornadoReduceKernel}. */
final class TornadoReduce extends DeviceOps {
    TornadoReduce(DeviceArena arena) {
        super(arena);
    }

    void reduce(ReduceOp op, View src, int reducedDims, View dst, View indices) {
        int r = src.rank(), outer = r - reducedDims;
        if (reducedDims > Meta.MAXR) throw new IllegalArgumentException("tornado: reduce over " + reducedDims + " dims");
        int[] outerShape = Arrays.copyOfRange(src.shape(), 0, outer);
        IntArray m = strided(outerShape, new View[]{src, dst}, new int[][]{Arrays.copyOfRange(src.strides(), 0, outer), new int[outer]});
        m.set(Meta.OP, op.ordinal());
        int innerN = 1;
        m.set(INNER_RANK, reducedDims);
        for (int i = 0; i < reducedDims; i++) {
            m.set(INNER_SHAPE + i, src.shape()[outer + i]);
            m.set(INNER_STRIDES + i, src.strides()[outer + i]);
            innerN *= src.shape()[outer + i];
        }
        m.set(INNER_N, innerN);
        m.set(HAS_INDEX, indices == null ? 0 : 1);
        m.set(INDEX_AT, indices == null ? 0 : at(indices));
        launchGroups(Kernel.REDUCE, dst.numel(), reductionGroup(innerN, LOCAL));
    }

    void topk(View src, int k, boolean largest, View values, View indices) {
        int r = src.rank(), len = src.shape()[r - 1];
        if (k == 0 || len == 0) return;
        int[] rows = Arrays.copyOfRange(src.shape(), 0, r - 1);
        IntArray m = strided(rows, new View[]{src}, new int[][]{Arrays.copyOfRange(src.strides(), 0, r - 1)});
        m.set(TOPK_LEN, len);
        m.set(TOPK_STRIDE, src.strides()[r - 1]);
        m.set(TOPK_K, k);
        m.set(TOPK_LARGEST, largest ? 1 : 0);
        m.set(TOPK_VALUES, at(values));
        m.set(TOPK_VALUES_TYPE, TornadoStorage.code(values.dtype()));
        m.set(TOPK_INDICES, at(indices));
        launch(Kernel.TOPK, src.numel());
    }
}
