package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;

/** Host side of the pointwise family: strided, broadcasting launches; device code in {@link TornadoPointwiseKernel}. */
final class TornadoPointwise extends DeviceOps {
    TornadoPointwise(DeviceArena arena) {
        super(arena);
    }

    void fill(View dst, double value) {
        strided(dst.shape(), dst);
        plan().params.set(0, value);
        launch(Kernel.FILL, dst.numel());
    }

    void copy(View src, View dst) {
        strided(dst.shape(), src, dst);
        launch(Kernel.COPY, dst.numel());
    }

    void unary(UnaryOp op, double p1, double p2, View src, View dst) {
        strided(dst.shape(), src, dst).set(Meta.OP, op.ordinal());
        plan().params.set(0, p1);
        plan().params.set(1, p2);
        launch(Kernel.UNARY, dst.numel());
    }

    void binary(BinaryOp op, View a, View b, View dst) {
        strided(dst.shape(), a, b, dst).set(Meta.OP, op.ordinal());
        launch(Kernel.BINARY, dst.numel());
    }

    void where(View cond, View a, View b, View dst) {
        strided(dst.shape(), cond, a, b, dst);
        launch(Kernel.WHERE, dst.numel());
    }
}
