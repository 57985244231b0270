package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Host side of the pointwise family: strided, broadcasting launches; device code in {@link TornadoPointwiseKernel}. */
final class TornadoPointwise extends DeviceOps {
    TornadoPointwise(DeviceArena arena) {
        super(arena);
    }

    /**
     * Writes the layout of an elementwise launch with adjacent dims merged wherever every view steps through them as
     * through one (so contiguous views become rank 1) and size-1 dims dropped: fewer divisions per element.
     */
    IntArray elementwise(int[] shape, View... views) {
        int r = shape.length;
        int[] outShape = new int[r];
        int[][] outStrides = new int[views.length][r];
        int k = -1;
        for (int d = r - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            boolean merge = k >= 0;
            for (int v = 0; v < views.length && merge; v++) {
                merge = views[v].strides()[d] == (long) outStrides[v][k] * outShape[k];
            }
            if (merge) {
                outShape[k] *= shape[d];
            } else {
                k++;
                outShape[k] = shape[d];
                for (int v = 0; v < views.length; v++) outStrides[v][k] = views[v].strides()[d];
            }
        }
        int rank = k + 1;
        int[] sh = new int[rank];
        int[][] st = new int[views.length][rank];
        for (int i = 0; i < rank; i++) {
            sh[i] = outShape[rank - 1 - i];
            for (int v = 0; v < views.length; v++) st[v][i] = outStrides[v][rank - 1 - i];
        }
        return strided(sh, views, st);
    }

    void fill(View dst, double value) {
        elementwise(dst.shape(), dst);
        plan().params.set(0, value);
        launch(Kernel.FILL, dst.numel());
    }

    void copy(View src, View dst) {
        elementwise(dst.shape(), src, dst);
        launch(Kernel.COPY, dst.numel());
    }

    void unary(UnaryOp op, double p1, double p2, View src, View dst) {
        elementwise(dst.shape(), src, dst).set(Meta.OP, op.ordinal());
        plan().params.set(0, p1);
        plan().params.set(1, p2);
        launch(Kernel.UNARY, dst.numel());
    }

    void binary(BinaryOp op, View a, View b, View dst) {
        elementwise(dst.shape(), a, b, dst).set(Meta.OP, op.ordinal());
        launch(Kernel.BINARY, dst.numel());
    }

    void where(View cond, View a, View b, View dst) {
        elementwise(dst.shape(), cond, a, b, dst);
        launch(Kernel.WHERE, dst.numel());
    }
}
