package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.View;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/**
 * Batch norm over dense [N, C, S] float32 views, in parallel over channels: statistics in two passes per channel (the
 * mean, then the squared deviations, each plane summed in float vectors and the planes added in double, in a fixed
 * order), the per-channel affine map with an optional ReLU in one pass, and the backward in two passes per channel
 * (the sums Σg and Σg·(x − mean), then gx = a·g + b·x + c with per-channel constants). A channel's planes are read
 * back while they are still in the cache.
 */
final class JvmBatchNorm {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length();

    private JvmBatchNorm() {}

    private static void channels(WorkerPool pool, int c, long work, java.util.function.IntConsumer body) {
        int tasks = pool.tasks(c, work, 32_768);
        pool.forRange(tasks, t -> {
            for (int ch = c * t / tasks, end = c * (t + 1) / tasks; ch < end; ch++) body.accept(ch);
        });
    }

    private static float at(View v, int i) { return f(v)[v.offset() + i * v.strides()[0]]; }

    static void stats(WorkerPool pool, View x, View mean, View var) {
        int n = x.shape()[0], c = x.shape()[1], s = x.shape()[2];
        float[] xs = f(x), ms = f(mean), vs = f(var);
        double count = (double) n * s;
        channels(pool, c, (long) n * c * s, ch -> {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += JvmReduce.sum(xs, x.offset() + (i * c + ch) * s, s);
            float mu = (float) (sum / count);
            double sq = 0;
            for (int i = 0; i < n; i++) sq += squaredDeviations(xs, x.offset() + (i * c + ch) * s, s, mu);
            ms[mean.offset() + ch * mean.strides()[0]] = mu;
            vs[var.offset() + ch * var.strides()[0]] = (float) (sq / count);
        });
    }

    private static float squaredDeviations(float[] a, int o, int len, float mu) {
        FloatVector acc = FloatVector.zero(S), vm = FloatVector.broadcast(S, mu);
        int i = 0;
        for (int b = S.loopBound(len); i < b; i += V) {
            FloatVector d = FloatVector.fromArray(S, a, o + i).sub(vm);
            acc = d.fma(d, acc);
        }
        float r = JvmReduce.addLanes(acc);
        for (; i < len; i++) r += (a[o + i] - mu) * (a[o + i] - mu);
        return r;
    }

    static void affine(WorkerPool pool, View x, View scale, View shift, boolean relu, View out) {
        int n = x.shape()[0], c = x.shape()[1], s = x.shape()[2];
        float[] xs = f(x), ys = f(out);
        channels(pool, c, (long) n * c * s, ch -> {
            float a = at(scale, ch), b = at(shift, ch);
            FloatVector va = FloatVector.broadcast(S, a), vb = FloatVector.broadcast(S, b), zero = FloatVector.zero(S);
            for (int i = 0; i < n; i++) {
                int xo = x.offset() + (i * c + ch) * s, yo = out.offset() + (i * c + ch) * s, j = 0;
                for (int bound = S.loopBound(s); j < bound; j += V) {
                    FloatVector y = FloatVector.fromArray(S, xs, xo + j).fma(va, vb);
                    (relu ? y.max(zero) : y).intoArray(ys, yo + j);
                }
                for (; j < s; j++) {
                    float y = Math.fma(xs[xo + j], a, b);
                    ys[yo + j] = relu ? Math.max(y, 0f) : y;
                }
            }
        });
    }

    static void backward(WorkerPool pool, View gy, View reluOut, View x, View mean, View invstd, View scale, boolean training,
                         View gx, View gw, View gb) {
        int n = x.shape()[0], c = x.shape()[1], s = x.shape()[2];
        float[] gys = f(gy), xs = f(x), rs = reluOut == null ? null : f(reluOut);
        double count = (double) n * s;
        channels(pool, c, (long) n * c * s, ch -> {
            float mu = at(mean, ch), is = at(invstd, ch), sc = at(scale, ch);
            double sumG = 0, sumGD = 0;
            float[] pair = new float[2];
            for (int i = 0; i < n; i++) {
                int p = (i * c + ch) * s;
                sums(gys, gy.offset() + p, rs, reluOut == null ? 0 : reluOut.offset() + p, xs, x.offset() + p, s, mu, pair);
                sumG += pair[0];
                sumGD += pair[1];
            }
            if (gw != null) f(gw)[gw.offset() + ch * gw.strides()[0]] = (float) (sumGD * is);
            if (gb != null) f(gb)[gb.offset() + ch * gb.strides()[0]] = (float) sumG;
            if (gx == null) return;
            // gx = sc·(g − Σg/M − xhat·Σ(g·xhat)/M) = sc·g + kx·(x − mean) − sc·Σg/M, with kx = −sc·is²·Σ(g·(x−mean))/M
            float kg = sc, kx = training ? (float) (-sc * is * is * sumGD / count) : 0f, k0 = training ? (float) (-sc * sumG / count) : 0f;
            float[] gxs = f(gx);
            for (int i = 0; i < n; i++) {
                int p = (i * c + ch) * s;
                gradInput(gys, gy.offset() + p, rs, reluOut == null ? 0 : reluOut.offset() + p, xs, x.offset() + p, gxs, gx.offset() + p, s,
                        mu, kg, kx, k0);
            }
        });
    }

    /** out[0] = Σ g, out[1] = Σ g·(x − mu) over one plane, g masked where the ReLU output is not positive. */
    private static void sums(float[] g, int go, float[] r, int ro, float[] x, int xo, int len, float mu, float[] out) {
        FloatVector accG = FloatVector.zero(S), accD = FloatVector.zero(S), vm = FloatVector.broadcast(S, mu);
        int j = 0;
        for (int b = S.loopBound(len); j < b; j += V) {
            FloatVector vg = FloatVector.fromArray(S, g, go + j);
            if (r != null) vg = vg.blend(0f, FloatVector.fromArray(S, r, ro + j).compare(jdk.incubator.vector.VectorOperators.LE, 0f));
            accG = accG.add(vg);
            accD = vg.fma(FloatVector.fromArray(S, x, xo + j).sub(vm), accD);
        }
        float sg = JvmReduce.addLanes(accG), sd = JvmReduce.addLanes(accD);
        for (; j < len; j++) {
            float v = r != null && !(r[ro + j] > 0f) ? 0f : g[go + j];
            sg += v;
            sd = Math.fma(v, x[xo + j] - mu, sd);
        }
        out[0] = sg;
        out[1] = sd;
    }

    private static void gradInput(float[] g, int go, float[] r, int ro, float[] x, int xo, float[] gx, int gxo, int len,
                                  float mu, float kg, float kx, float k0) {
        FloatVector vkg = FloatVector.broadcast(S, kg), vkx = FloatVector.broadcast(S, kx), vk0 = FloatVector.broadcast(S, k0);
        FloatVector vm = FloatVector.broadcast(S, mu);
        int j = 0;
        for (int b = S.loopBound(len); j < b; j += V) {
            FloatVector vg = FloatVector.fromArray(S, g, go + j);
            if (r != null) vg = vg.blend(0f, FloatVector.fromArray(S, r, ro + j).compare(jdk.incubator.vector.VectorOperators.LE, 0f));
            FloatVector.fromArray(S, x, xo + j).sub(vm).fma(vkx, vg.fma(vkg, vk0)).intoArray(gx, gxo + j);
        }
        for (; j < len; j++) {
            float v = r != null && !(r[ro + j] > 0f) ? 0f : g[go + j];
            gx[gxo + j] = Math.fma(x[xo + j] - mu, kx, Math.fma(v, kg, k0));
        }
    }
}
