package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.ReduceOp;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

import java.util.Arrays;

/** Scalar pointwise, reduction and top-k kernels over strided host views. */
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

    static void reduce(ReduceOp op, View src, int reducedDims, View dst, View indices) {
        int r = src.rank(), outerRank = r - reducedDims;
        int[] outerShape = Arrays.copyOfRange(src.shape(), 0, outerRank);
        int[] innerShape = Arrays.copyOfRange(src.shape(), outerRank, r);
        int[] innerStrides = Arrays.copyOfRange(src.strides(), outerRank, r);
        int innerN = 1;
        for (int s : innerShape) innerN *= s;
        HostStorage s = h(src), d = h(dst);
        HostStorage idx = indices == null ? null : h(indices);
        int outerN = dst.numel();
        Cursor outer = new Cursor(outerShape, new int[][]{Arrays.copyOfRange(src.strides(), 0, outerRank)},
                new int[]{src.offset()});
        for (int o = 0; o < outerN; o++, outer.next()) {
            Cursor inner = new Cursor(innerShape, new int[][]{innerStrides}, new int[]{outer.off[0]});
            double acc = op == ReduceOp.SUM ? 0 : op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            int best = 0;
            for (int i = 0; i < innerN; i++, inner.next()) {
                double v = s.get(inner.off[0]);
                switch (op) {
                    case SUM -> acc += v;
                    case MAX -> { if (i == 0 || v > acc || (Double.isNaN(v) && !Double.isNaN(acc))) { acc = v; best = i; } }
                    case MIN -> { if (i == 0 || v < acc || (Double.isNaN(v) && !Double.isNaN(acc))) { acc = v; best = i; } }
                }
            }
            d.set(dst.offset() + o, acc);
            if (idx != null) idx.setLong(indices.offset() + o, best);
        }
    }

    static void topk(View src, int k, boolean largest, View values, View indices) {
        int r = src.rank(), len = src.shape()[r - 1], stride = src.strides()[r - 1];
        int[] outerShape = Arrays.copyOfRange(src.shape(), 0, r - 1);
        HostStorage s = h(src), vs = h(values), is = h(indices);
        Cursor outer = new Cursor(outerShape, new int[][]{Arrays.copyOfRange(src.strides(), 0, r - 1)},
                new int[]{src.offset()});
        int rows = values.numel() / Math.max(k, 1);
        if (k == 0) return;
        Integer[] order = new Integer[len];
        double[] row = new double[len];
        for (int o = 0; o < rows; o++, outer.next()) {
            for (int i = 0; i < len; i++) {
                row[i] = s.get(outer.off[0] + i * stride);
                order[i] = i;
            }
            // stable sort keeps the lower index first among equal values
            Arrays.sort(order, (p, q) -> largest ? Double.compare(row[q], row[p]) : Double.compare(row[p], row[q]));
            for (int j = 0; j < k; j++) {
                vs.set(values.offset() + o * k + j, row[order[j]]);
                is.setLong(indices.offset() + o * k + j, order[j]);
            }
        }
    }
}
