package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.ReduceOp;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

import java.util.Arrays;

import static dev.maskseg.engine.backend.ref.RefPointwise.h;

/** Scalar sum/max/min over trailing dims (with arg indices) and top-k over the last dim. */
final class RefReduce {
    private RefReduce() {}

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
