package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;

import static dev.maskseg.engine.aparapi.ArenaKernel.*;

/** Host side of the pointwise family: strided, broadcasting launches; device code in {@link AparapiPointwiseKernel}. */
final class AparapiPointwise extends DeviceOps {
    AparapiPointwise(AparapiBackend be) {
        super(be);
    }

    void fill(View dst, double value) {
        l.strided(dst.shape(), dst);
        l.k.p1 = value;
        l.launch(OP_FILL, 0, dst.numel());
    }

    void copy(View src, View dst) {
        l.strided(dst.shape(), src, dst);
        l.launch(OP_COPY, 0, dst.numel());
    }

    void unary(UnaryOp op, double p1, double p2, View src, View dst) {
        l.strided(dst.shape(), src, dst);
        l.k.p1 = p1;
        l.k.p2 = p2;
        l.launch(OP_UNARY, op.ordinal(), dst.numel());
    }

    void binary(BinaryOp op, View a, View b, View dst) {
        l.strided(dst.shape(), a, b, dst);
        l.launch(OP_BINARY, op.ordinal(), dst.numel());
    }

    void where(View cond, View a, View b, View dst) {
        l.strided(dst.shape(), cond, a, b, dst);
        l.launch(OP_WHERE, 0, dst.numel());
    }
}
