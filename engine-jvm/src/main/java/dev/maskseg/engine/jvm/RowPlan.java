package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.View;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an elementwise iteration over several strided views (same shape) into rows: adjacent
 * dims are merged where every view allows it, the last dim becomes the row, and rows are visited
 * in parallel chunks with each view's row offset.
 */
final class RowPlan {
    final int rows, len;
    final int[] innerStride;
    private final int[] outerShape;
    private final int[][] outerStrides;
    private final int[] base;

    RowPlan(int[] shape, View... views) {
        List<int[]> dims = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            int[] e = new int[1 + views.length];
            e[0] = shape[d];
            for (int v = 0; v < views.length; v++) e[1 + v] = views[v].strides()[d];
            if (!dims.isEmpty()) {
                int[] prev = dims.getLast();
                boolean merge = true;
                for (int v = 0; v < views.length; v++) merge &= prev[1 + v] == e[1 + v] * e[0];
                if (merge) {
                    prev[0] *= e[0];
                    for (int v = 0; v < views.length; v++) prev[1 + v] = e[1 + v];
                    continue;
                }
            }
            dims.add(e);
        }
        if (dims.isEmpty()) {
            int[] single = new int[1 + views.length];
            single[0] = 1;
            dims.add(single);
        }
        int[] last = dims.removeLast();
        len = last[0];
        innerStride = new int[views.length];
        for (int v = 0; v < views.length; v++) innerStride[v] = last[1 + v];
        outerShape = new int[dims.size()];
        outerStrides = new int[dims.size()][views.length];
        int r = 1;
        for (int i = 0; i < dims.size(); i++) {
            outerShape[i] = dims.get(i)[0];
            r *= outerShape[i];
            for (int v = 0; v < views.length; v++) outerStrides[i][v] = dims.get(i)[1 + v];
        }
        rows = shapeProduct(shape) == 0 ? 0 : r;
        base = new int[views.length];
        for (int v = 0; v < views.length; v++) base[v] = views[v].offset();
    }

    private static int shapeProduct(int[] s) {
        int n = 1;
        for (int x : s) n *= x;
        return n;
    }

    /** Offsets of every view at the start of row r, written into off. */
    void rowOffsets(int r, int[] off) {
        System.arraycopy(base, 0, off, 0, base.length);
        for (int d = outerShape.length - 1; d >= 0; d--) {
            int i = r % outerShape[d];
            r /= outerShape[d];
            for (int v = 0; v < off.length; v++) off[v] += i * outerStrides[d][v];
        }
    }

    interface RowBody {
        /** Elements [0, n) of a row, or of a chunk of one, starting at each view's offset in off. */
        void row(int[] off, int n);
    }

    /**
     * Visits every row, in parallel chunks when the work is large enough. A contiguous tensor is one long row, so when
     * there are fewer rows than tasks the rows are cut into chunks of whole vectors, which keeps both cores busy on the
     * pointwise ops of a training step.
     */
    void forEachRow(WorkerPool pool, RowBody body) {
        if (rows == 0) return;
        long work = (long) rows * len;
        int want = pool.tasks(Integer.MAX_VALUE, work, 32_768);
        if (rows >= want || pool.threads() == 1) {
            int tasks = Math.min(rows, want);
            pool.forRange(tasks, t -> {
                int r0 = (int) ((long) rows * t / tasks), r1 = (int) ((long) rows * (t + 1) / tasks);
                int[] off = new int[base.length];
                for (int r = r0; r < r1; r++) {
                    rowOffsets(r, off);
                    body.row(off, len);
                }
            });
            return;
        }
        int chunk = Math.ceilDiv(Math.ceilDiv(len, Math.ceilDiv(want, rows)), CHUNK_ALIGN) * CHUNK_ALIGN;
        int chunks = Math.ceilDiv(len, chunk);
        pool.forRange(rows * chunks, t -> {
            int r = t / chunks, c0 = t % chunks * chunk;
            int[] off = new int[base.length];
            rowOffsets(r, off);
            for (int v = 0; v < off.length; v++) off[v] += c0 * innerStride[v];
            body.row(off, Math.min(chunk, len - c0));
        });
    }

    /** Chunks of a row start at multiples of this many elements, a multiple of every vector width. */
    private static final int CHUNK_ALIGN = 64;
}
