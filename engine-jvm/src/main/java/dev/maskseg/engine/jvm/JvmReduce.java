package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ReduceOp;
import dev.maskseg.engine.backend.View;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/**
 * Strided float32 sum/max/min over the trailing dims of a view into a dense output, in the two layouts that cover
 * the engine's reductions: the innermost reduced run is contiguous (batch-norm statistics over N, H, W; softmax-like
 * rows), summed segment by segment with vectors; or the innermost kept dim is one contiguous run and the reduced dims
 * stride over it (bias gradients, column sums, means over the pixels of channels-blocked activations), accumulated row by
 * row across the run. Sums go through double per segment or
 * every 64 rows, and each output's order of additions is fixed, so results do not depend on the thread count.
 */
final class JvmReduce {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length(), FLUSH_ROWS = 64, COLUMN_BLOCK = 1024, MAX_OFFSETS = 1 << 22;

    private JvmReduce() {}

    /** For {@link #addLanes}: lane i takes lane i + w, for halving widths w. */
    private static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        List<VectorShuffle<Float>> list = new ArrayList<>();
        for (int w = V / 2; w >= 1; w /= 2) {
            int width = w;
            list.add(VectorShuffle.fromOp(S, i -> (i + width) % V));
        }
        return list.toArray(new VectorShuffle[0]);
    }

    /**
     * Sum of the lanes as a fixed tree (halves added pairwise, lane 0 holds the total), without leaving the registers.
     * {@code reduceLanes(ADD)} may add in a different order once C2 compiles it, which made results depend on JIT timing;
     * rearranging is exact, so this order is the same in every tier.
     */
    static float addLanes(FloatVector v) {
        for (VectorShuffle<Float> h : HALVES) v = v.add(v.rearrange(h));
        return v.lane(0);
    }

    static float sum(float[] a, int o, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int b = S.loopBound(n); i < b; i += V) acc = acc.add(FloatVector.fromArray(S, a, o + i));
        float s = addLanes(acc);
        for (; i < n; i++) s += a[o + i];
        return s;
    }

    static float max(float[] a, int o, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int b = S.loopBound(n); i < b; i += V) acc = acc.max(FloatVector.fromArray(S, a, o + i));
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, a[o + i]);
        return m;
    }

    static float min(float[] a, int o, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);
        int i = 0;
        for (int b = S.loopBound(n); i < b; i += V) acc = acc.min(FloatVector.fromArray(S, a, o + i));
        float m = acc.reduceLanes(VectorOperators.MIN);
        for (; i < n; i++) m = Math.min(m, a[o + i]);
        return m;
    }

    /** False when neither layout applies (the caller falls back to the reference loop). */
    static boolean reduce(WorkerPool pool, ReduceOp op, View src, int reducedDims, View dst) {
        int r = src.rank(), outer = r - reducedDims;
        List<int[]> reduced = merged(src.shape(), src.strides(), outer, r), kept = merged(src.shape(), src.strides(), 0, outer);
        if (reduced.isEmpty() || dst.numel() == 0) return false;
        int[] last = reduced.getLast();
        if (last[1] == 1) {
            int[] segments = offsets(reduced.subList(0, reduced.size() - 1));
            return segments != null && segmentReduce(pool, op, src, outer, dst, last[0], segments);
        }
        if (op != ReduceOp.SUM) return false;
        boolean innerRun = !kept.isEmpty() && kept.getLast()[1] == 1;
        if (!kept.isEmpty() && !innerRun) return false;
        int[] rows = offsets(reduced), runs = innerRun ? offsets(kept.subList(0, kept.size() - 1)) : new int[]{0};
        return rows != null && runs != null && columnSum(pool, src, dst, runs, rows);
    }

    /** Dims [from, to) without size-1 dims, adjacent ones merged where their strides allow: {size, stride}, outer first. */
    private static List<int[]> merged(int[] shape, int[] strides, int from, int to) {
        List<int[]> dims = new ArrayList<>();
        for (int d = from; d < to; d++) {
            if (shape[d] == 1) continue;
            if (!dims.isEmpty() && dims.getLast()[1] == strides[d] * shape[d]) {
                dims.getLast()[0] *= shape[d];
                dims.getLast()[1] = strides[d];
            } else {
                dims.add(new int[]{shape[d], strides[d]});
            }
        }
        return dims;
    }

    /** Every offset spanned by the dims (row-major order), or null when there are too many to list. */
    private static int[] offsets(List<int[]> dims) {
        long count = 1;
        for (int[] dim : dims) count *= dim[0];
        if (count > MAX_OFFSETS) return null;
        int[] out = {0};
        for (int[] dim : dims) {
            int[] next = new int[out.length * dim[0]];
            for (int i = 0; i < out.length; i++) {
                for (int j = 0; j < dim[0]; j++) next[i * dim[0] + j] = out[i] + j * dim[1];
            }
            out = next;
        }
        return out;
    }

    /** Offset in src of output element o (dst is dense over the kept dims, the first keptRank of src). */
    private static int keptOffset(View src, int keptRank, int o) {
        int off = src.offset();
        for (int d = keptRank - 1; d >= 0; d--) {
            int size = src.shape()[d];
            off += (o % size) * src.strides()[d];
            o /= size;
        }
        return off;
    }

    private static boolean segmentReduce(WorkerPool pool, ReduceOp op, View src, int keptRank, View dst, int len, int[] segments) {
        float[] s = f(src), d = f(dst);
        int outputs = dst.numel();
        int tasks = pool.tasks(outputs, (long) outputs * segments.length * len, 32_768);
        pool.forRange(tasks, t -> {
            for (int o = (int) ((long) outputs * t / tasks), end = (int) ((long) outputs * (t + 1) / tasks); o < end; o++) {
                int base = keptOffset(src, keptRank, o);
                double sum = 0;
                float extreme = op == ReduceOp.MAX ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
                for (int seg : segments) {
                    switch (op) {
                        case SUM -> sum += sum(s, base + seg, len);
                        case MAX -> extreme = Math.max(extreme, max(s, base + seg, len));
                        case MIN -> extreme = Math.min(extreme, min(s, base + seg, len));
                    }
                }
                d[dst.offset() + o] = op == ReduceOp.SUM ? (float) sum : extreme;
            }
        });
        return true;
    }

    /**
     * Column sums over the rows of one contiguous run of columns per outer offset (one offset: bias gradients; one per
     * channel block: a mean over the pixels of channels-blocked activations); dst is [outer][width].
     */
    private static boolean columnSum(WorkerPool pool, View src, View dst, int[] outer, int[] rows) {
        float[] s = f(src), d = f(dst);
        int width = dst.numel() / outer.length, perOuter = Math.ceilDiv(width, COLUMN_BLOCK), blocks = outer.length * perOuter;
        int tasks = pool.tasks(blocks, (long) dst.numel() * rows.length, 32_768);
        pool.forRange(tasks, t -> {
            float[] partial = new float[COLUMN_BLOCK];
            double[] total = new double[COLUMN_BLOCK];
            for (int b = (int) ((long) blocks * t / tasks), bEnd = (int) ((long) blocks * (t + 1) / tasks); b < bEnd; b++) {
                int o = b / perOuter, base = src.offset() + outer[o], c0 = b % perOuter * COLUMN_BLOCK, n = Math.min(COLUMN_BLOCK, width - c0);
                java.util.Arrays.fill(total, 0, n, 0);
                for (int r0 = 0; r0 < rows.length; r0 += FLUSH_ROWS) {
                    java.util.Arrays.fill(partial, 0, n, 0f);
                    for (int r = r0, rEnd = Math.min(rows.length, r0 + FLUSH_ROWS); r < rEnd; r++) {
                        int so = base + rows[r] + c0, c = 0;
                        for (int bound = S.loopBound(n); c < bound; c += V) {
                            FloatVector.fromArray(S, partial, c).add(FloatVector.fromArray(S, s, so + c)).intoArray(partial, c);
                        }
                        for (; c < n; c++) partial[c] += s[so + c];
                    }
                    for (int c = 0; c < n; c++) total[c] += partial[c];
                }
                for (int c = 0; c < n; c++) d[dst.offset() + o * width + c0 + c] = (float) total[c];
            }
        });
        return true;
    }
}
