package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.View;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/** Vectorized softmax / log-softmax and layer norm forward and backward; rows are split over the pool's threads. */
final class JvmNorm {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length();

    private JvmNorm() {}

    private static void rows(WorkerPool pool, int rows, int width, java.util.function.IntConsumer body) {
        int tasks = pool.tasks(rows, (long) rows * width, 16_384);
        pool.forRange(tasks, t -> {
            for (int r = rows * t / tasks, end = rows * (t + 1) / tasks; r < end; r++) body.accept(r);
        });
    }

    static void softmax(WorkerPool pool, View x, View out, boolean log) {
        int d = x.shape()[x.rank() - 1], rows = x.numel() / Math.max(d, 1);
        float[] xs = f(x), ys = f(out);
        if (d < V) {
            rows(pool, rows, d, r -> softmaxShortRow(xs, x.offset() + r * d, ys, out.offset() + r * d, d, log));
            return;
        }
        // the last vector of a row overlaps the one before; only its lanes past that one (weight 1) are new
        float[] fresh = new float[V];
        for (int i = d % V == 0 ? 0 : V - d % V; i < V; i++) fresh[i] = 1f;
        int tasks = pool.tasks(rows, (long) rows * d, 16_384);
        pool.forRange(tasks, t -> softmaxRows(xs, x.offset(), ys, out.offset(), d, rows * t / tasks, rows * (t + 1) / tasks, log, fresh));
    }

    /** Rows [r0, r1) in one loop, so that the row kernel is inlined and its vectors stay in registers. */
    private static void softmaxRows(float[] xs, int xo, float[] ys, int yo, int d, int r0, int r1, boolean log, float[] freshLanes) {
        FloatVector fresh = FloatVector.fromArray(S, freshLanes, 0), old = FloatVector.broadcast(S, 1f).sub(fresh);
        for (int r = r0; r < r1; r++) softmaxRow(xs, xo + r * d, ys, yo + r * d, d, log, fresh, old);
    }

    /**
     * One row of at least V elements: its maximum, then exp(x − max) stored (softmax) and summed, then the scaling (or
     * x − max − log Σ for log-softmax). The row's last vector starts at d − V and overlaps the one before: a maximum
     * or a recomputed store does not mind, the sum weighs its new lanes by 1 and the rest by 0 (exact), and the scaling
     * multiplies the lanes already scaled by exactly 1. So every element goes through the same vector exp, and there
     * is one call site of it (a second one, for a tail, kept C2 from inlining both and boxed the vectors). The exps
     * cannot overflow, so {@link DetMath#expNonPositive} serves.
     */
    private static void softmaxRow(float[] xs, int xo, float[] ys, int yo, int d, boolean log, FloatVector fresh, FloatVector old) {
        int last = d - V;
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < d; i += V) vmax = vmax.max(FloatVector.fromArray(S, xs, xo + Math.min(i, last)));
        float m = vmax.reduceLanes(VectorOperators.MAX);   // max is exact in any order
        FloatVector vm = FloatVector.broadcast(S, m), acc = FloatVector.zero(S);
        FloatVector before = acc, e = acc;
        for (int i = 0; i < d; i += V) {
            int o = Math.min(i, last);
            e = DetMath.expNonPositive(FloatVector.fromArray(S, xs, xo + o).sub(vm));
            if (!log) e.intoArray(ys, yo + o);
            before = acc;
            acc = acc.add(e);
        }
        if (d % V != 0) acc = e.fma(fresh, before);   // the overlapping last vector again, its new lanes only
        float sum = JvmReduce.addLanes(acc);
        if (log) {
            FloatVector shift = FloatVector.broadcast(S, m + DetMath.log(sum));
            for (int i = 0; i < d; i += V) {
                int o = Math.min(i, last);
                FloatVector.fromArray(S, xs, xo + o).sub(shift).intoArray(ys, yo + o);
            }
        } else {
            float inv = 1f / sum;
            FloatVector all = FloatVector.broadcast(S, inv);
            int i = 0;
            for (; i <= last; i += V) FloatVector.fromArray(S, ys, yo + i).mul(all).intoArray(ys, yo + i);
            if (i < d) FloatVector.fromArray(S, ys, yo + last).mul(fresh.fma(all, old)).intoArray(ys, yo + last);   // inv on new lanes, 1 elsewhere
        }
    }

    /** A row shorter than one vector, in scalar code with the same exp (bit for bit the vector one's). */
    private static void softmaxShortRow(float[] xs, int xo, float[] ys, int yo, int d, boolean log) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < d; i++) m = Math.max(m, xs[xo + i]);
        float sum = 0;
        for (int i = 0; i < d; i++) {
            float e = DetMath.expNonPositive(xs[xo + i] - m);
            if (!log) ys[yo + i] = e;
            sum += e;
        }
        if (log) {
            float shift = m + DetMath.log(sum);
            for (int i = 0; i < d; i++) ys[yo + i] = xs[xo + i] - shift;
        } else {
            float inv = 1f / sum;
            for (int i = 0; i < d; i++) ys[yo + i] *= inv;
        }
    }

    /**
     * Σ x or (squares) Σ (x − center)² over one row, in four interleaved vector sums so that the adds do not wait on
     * each other (one chain made the row's latency, not its arithmetic, the cost), then the tail in scalar code.
     */
    private static float rowSum(float[] xs, int o, int d, boolean squares, float center) {
        FloatVector c = FloatVector.broadcast(S, center), a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        if (squares) {
            for (int b4 = d - d % (4 * V); i < b4; i += 4 * V) {
                FloatVector v0 = FloatVector.fromArray(S, xs, o + i).sub(c), v1 = FloatVector.fromArray(S, xs, o + i + V).sub(c);
                FloatVector v2 = FloatVector.fromArray(S, xs, o + i + 2 * V).sub(c), v3 = FloatVector.fromArray(S, xs, o + i + 3 * V).sub(c);
                a0 = v0.fma(v0, a0);
                a1 = v1.fma(v1, a1);
                a2 = v2.fma(v2, a2);
                a3 = v3.fma(v3, a3);
            }
            for (int b = S.loopBound(d); i < b; i += V) {
                FloatVector v = FloatVector.fromArray(S, xs, o + i).sub(c);
                a0 = v.fma(v, a0);
            }
        } else {
            for (int b4 = d - d % (4 * V); i < b4; i += 4 * V) {
                a0 = a0.add(FloatVector.fromArray(S, xs, o + i));
                a1 = a1.add(FloatVector.fromArray(S, xs, o + i + V));
                a2 = a2.add(FloatVector.fromArray(S, xs, o + i + 2 * V));
                a3 = a3.add(FloatVector.fromArray(S, xs, o + i + 3 * V));
            }
            for (int b = S.loopBound(d); i < b; i += V) a0 = a0.add(FloatVector.fromArray(S, xs, o + i));
        }
        float sum = JvmReduce.addLanes(a0.add(a1).add(a2.add(a3)));
        for (; i < d; i++) sum += squares ? (xs[o + i] - center) * (xs[o + i] - center) : xs[o + i];
        return sum;
    }

    static void layerNorm(WorkerPool pool, View x, View w, View b, float eps, View out, View mean, View rstd) {
        int d = x.shape()[x.rank() - 1], rows = x.numel() / Math.max(d, 1);
        float[] xs = f(x), ys = f(out), ms = f(mean), rs = f(rstd);
        float[] ws = w == null ? null : contiguous(w), bs = b == null ? null : contiguous(b);
        rows(pool, rows, d, r -> {
            int xo = x.offset() + r * d, yo = out.offset() + r * d;
            float mu = rowSum(xs, xo, d, false, 0f) / d;
            float var = rowSum(xs, xo, d, true, mu);
            FloatVector vmu = FloatVector.broadcast(S, mu);
            int i;
            float rsd = (float) (1.0 / Math.sqrt(var / d + eps));
            ms[mean.offset() + r] = mu;
            rs[rstd.offset() + r] = rsd;
            i = 0;
            if (ws != null && bs != null) {   // same operations in the same order as the scalar tail
                FloatVector vr = FloatVector.broadcast(S, rsd);
                for (int bd = S.loopBound(d); i < bd; i += V) {
                    FloatVector.fromArray(S, xs, xo + i).sub(vmu).mul(vr).mul(FloatVector.fromArray(S, ws, i))
                            .add(FloatVector.fromArray(S, bs, i)).intoArray(ys, yo + i);
                }
            }
            for (; i < d; i++) {
                float y = (xs[xo + i] - mu) * rsd;
                if (ws != null) y *= ws[i];
                if (bs != null) y += bs[i];
                ys[yo + i] = y;
            }
        });
    }

    static void layerNormBackward(WorkerPool pool, View gy, View x, View w, View mean, View rstd, View gx, View gw, View gb) {
        int d = x.shape()[x.rank() - 1], rows = x.numel() / Math.max(d, 1);
        float[] gys = f(gy), xs = f(x), ms = f(mean), rs = f(rstd), gxs = f(gx);
        float[] ws = w == null ? null : contiguous(w);
        rows(pool, rows, d, r -> {
            int xo = x.offset() + r * d, go = gy.offset() + r * d, xo2 = gx.offset() + r * d;
            float mu = ms[mean.offset() + r], rsd = rs[rstd.offset() + r], sumG = 0, sumGX = 0;
            for (int i = 0; i < d; i++) {
                float g = gys[go + i] * (ws == null ? 1f : ws[i]), xhat = (xs[xo + i] - mu) * rsd;
                sumG += g;
                sumGX += g * xhat;
            }
            float mg = sumG / d, mgx = sumGX / d;
            for (int i = 0; i < d; i++) {
                float g = gys[go + i] * (ws == null ? 1f : ws[i]), xhat = (xs[xo + i] - mu) * rsd;
                gxs[xo2 + i] = rsd * (g - mg - xhat * mgx);
            }
        });
        if (gw == null && gb == null) return;
        // column sums, split over columns so threads never share an output
        float[] gws = gw == null ? null : f(gw), gbs = gb == null ? null : f(gb);
        int tasks = Math.min(pool.threads(), Math.max(1, d / 64));
        pool.forRange(tasks, t -> {
            int c0 = d * t / tasks, c1 = d * (t + 1) / tasks;
            double[] aw = new double[c1 - c0], ab = new double[c1 - c0];
            for (int r = 0; r < rows; r++) {
                int xo = x.offset() + r * d, go = gy.offset() + r * d;
                float mu = ms[mean.offset() + r], rsd = rs[rstd.offset() + r];
                for (int c = c0; c < c1; c++) {
                    aw[c - c0] += gys[go + c] * (xs[xo + c] - mu) * rsd;
                    ab[c - c0] += gys[go + c];
                }
            }
            for (int c = c0; c < c1; c++) {
                if (gws != null) gws[gw.offset() + c] = (float) aw[c - c0];
                if (gbs != null) gbs[gb.offset() + c] = (float) ab[c - c0];
            }
        });
    }

    private static float[] contiguous(View v) {
        float[] s = f(v), out = new float[v.numel()];
        for (int i = 0; i < out.length; i++) out[i] = s[v.offset() + i * v.strides()[0]];
        return out;
    }

}
