package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

/** Scalar pointwise kernels (fill, copy with dtype conversion, unary, binary, where) over strided host views. */
final class RefPointwise {
    private RefPointwise() {}

    static HostStorage h(View v) { return (HostStorage) v.storage(); }

    static void fill(View dst, double value) {
        HostStorage d = h(dst);
        Cursor c = new Cursor(dst.shape(), dst);
        for (int i = 0, n = dst.numel(); i < n; i++, c.next()) d.set(c.off[0], value);
    }

    static void copy(View src, View dst) {
        HostStorage s = h(src), d = h(dst);
        boolean integral = !src.dtype().isFloating() && !dst.dtype().isFloating();
        Cursor c = new Cursor(dst.shape(), src, dst);
        for (int i = 0, n = dst.numel(); i < n; i++, c.next()) {
            if (integral) d.setLong(c.off[1], s.getLong(c.off[0]));
            else d.set(c.off[1], s.get(c.off[0]));
        }
    }

    static void unary(UnaryOp op, double p1, double p2, View src, View dst) {
        HostStorage s = h(src), d = h(dst);
        Cursor c = new Cursor(dst.shape(), src, dst);
        for (int i = 0, n = dst.numel(); i < n; i++, c.next()) {
            d.set(c.off[1], RefMath.unary(op, s.get(c.off[0]), p1, p2));
        }
    }

    static void binary(BinaryOp op, View a, View b, View dst) {
        HostStorage x = h(a), y = h(b), d = h(dst);
        boolean integral = !dst.dtype().isFloating() && !op.isComparison();
        Cursor c = new Cursor(dst.shape(), a, b, dst);
        for (int i = 0, n = dst.numel(); i < n; i++, c.next()) {
            if (integral && (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL)) {
                long u = x.getLong(c.off[0]), v = y.getLong(c.off[1]);
                d.setLong(c.off[2], op == BinaryOp.ADD ? u + v : op == BinaryOp.SUB ? u - v : u * v);
            } else {
                d.set(c.off[2], RefMath.binary(op, x.get(c.off[0]), y.get(c.off[1])));
            }
        }
    }

    static void where(View cond, View a, View b, View dst) {
        HostStorage m = h(cond), x = h(a), y = h(b), d = h(dst);
        Cursor c = new Cursor(dst.shape(), cond, a, b, dst);
        for (int i = 0, n = dst.numel(); i < n; i++, c.next()) {
            d.set(c.off[3], m.get(c.off[0]) != 0 ? x.get(c.off[1]) : y.get(c.off[2]));
        }
    }
}
