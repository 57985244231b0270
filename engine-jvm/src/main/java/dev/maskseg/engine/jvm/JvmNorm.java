package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.View;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/** Vectorized softmax / log-softmax and layer norm forward and backward; rows are split over the pool's threads. */
final class JvmNorm {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length();

    private JvmNorm() {}

    private static void rows(WorkerPool pool, int rows, int width, java.util.function.IntConsumer body) {
        int tasks = (long) rows * width < 16_384 ? 1 : Math.min(rows, pool.threads() * 4);
        pool.forRange(tasks, t -> {
            for (int r = rows * t / tasks, end = rows * (t + 1) / tasks; r < end; r++) body.accept(r);
        });
    }

    static void softmax(WorkerPool pool, View x, View out, boolean log) {
        int d = x.shape()[x.rank() - 1], rows = x.numel() / Math.max(d, 1);
        float[] xs = f(x), ys = f(out);
        rows(pool, rows, d, r -> {
            int xo = x.offset() + r * d, yo = out.offset() + r * d;
            float m = JvmReduce.max(xs, xo, d);
            FloatVector vm = FloatVector.broadcast(S, m), acc = FloatVector.zero(S);
            int i = 0;
            for (int b = S.loopBound(d); i < b; i += V) {
                FloatVector e = FloatVector.fromArray(S, xs, xo + i).sub(vm);
                e = DetMath.exp(e);
                if (!log) e.intoArray(ys, yo + i);
                acc = acc.add(e);
            }
            float s = JvmReduce.addLanes(acc);
            for (; i < d; i++) {
                float e = DetMath.exp(xs[xo + i] - m);
                if (!log) ys[yo + i] = e;
                s += e;
            }
            if (log) {
                float shift = m + DetMath.log(s);
                for (i = 0; i < d; i++) ys[yo + i] = xs[xo + i] - shift;
            } else {
                float inv = 1f / s;
                i = 0;
                for (int b = S.loopBound(d); i < b; i += V) FloatVector.fromArray(S, ys, yo + i).mul(inv).intoArray(ys, yo + i);
                for (; i < d; i++) ys[yo + i] *= inv;
            }
        });
    }

    static void layerNorm(WorkerPool pool, View x, View w, View b, float eps, View out, View mean, View rstd) {
        int d = x.shape()[x.rank() - 1], rows = x.numel() / Math.max(d, 1);
        float[] xs = f(x), ys = f(out), ms = f(mean), rs = f(rstd);
        float[] ws = w == null ? null : contiguous(w), bs = b == null ? null : contiguous(b);
        rows(pool, rows, d, r -> {
            int xo = x.offset() + r * d, yo = out.offset() + r * d;
            float mu = JvmReduce.sum(xs, xo, d) / d;
            FloatVector vmu = FloatVector.broadcast(S, mu), acc = FloatVector.zero(S);
            int i = 0;
            for (int bd = S.loopBound(d); i < bd; i += V) {
                FloatVector c = FloatVector.fromArray(S, xs, xo + i).sub(vmu);
                acc = c.fma(c, acc);
            }
            float var = JvmReduce.addLanes(acc);
            for (; i < d; i++) var += (xs[xo + i] - mu) * (xs[xo + i] - mu);
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
