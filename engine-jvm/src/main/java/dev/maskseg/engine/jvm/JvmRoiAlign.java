package dev.maskseg.engine.jvm;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.RoiAlignParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.RefRoiAlign;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/**
 * RoIAlign on dense float32 NCHW features in its separable form (the reference's {@link RefRoiAlign#plan}): per box
 * and channel, the rows of each output bin are first combined along y over the box's column span (a vector axpy per
 * tap), then each bin's few x taps are summed. Forward runs in parallel over (box, channel) pairs; backward, which
 * scatters into the feature map, over (image, channel) planes with each plane's boxes in order, so no two tasks write
 * the same element and results do not depend on the thread count.
 */
final class JvmRoiAlign {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;

    private JvmRoiAlign() {}

    /** The plan with float weights and each box's column span [xLo, xLo + span). */
    private record Plan(RefRoiAlign.Plan p, float[] yW, float[] xW, int[] xLo, int[] span) {
        static Plan of(View rois, RoiAlignParams params, int h, int w) {
            RefRoiAlign.Plan p = RefRoiAlign.plan(rois, params, h, w, DType.FLOAT32);
            int k = p.rois(), pw = params.outW();
            int[] lo = new int[k], span = new int[k];
            for (int r = 0; r < k; r++) {
                int a = w, b = 0;
                for (int q = 0; q < pw; q++) {
                    int at = r * pw + q;
                    if (p.xLen()[at] == 0) continue;
                    a = Math.min(a, p.xStart()[at]);
                    b = Math.max(b, p.xStart()[at] + p.xLen()[at]);
                }
                lo[r] = Math.min(a, b);
                span[r] = Math.max(0, b - a);
            }
            return new Plan(p, floats(p.yWeight()), floats(p.xWeight()), lo, span);
        }
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    static void forward(WorkerPool pool, View x, View rois, RoiAlignParams params, View out) {
        int c = x.shape()[1], h = x.shape()[2], w = x.shape()[3], ph = params.outH(), pw = params.outW();
        Plan plan = Plan.of(rois, params, h, w);
        RefRoiAlign.Plan p = plan.p;
        int k = p.rois(), units = k * c;
        float[] xs = f(x), os = f(out);
        int tasks = pool.tasks(units, Long.MAX_VALUE, 0);
        pool.forRange(tasks, t -> {
            float[] rows = new float[ph * Math.max(1, w)];
            for (int u = (int) ((long) units * t / tasks), end = (int) ((long) units * (t + 1) / tasks); u < end; u++) {
                int r = u / c, ch = u % c, lo = plan.xLo[r], span = plan.span[r];
                int plane = x.offset() + (p.batch()[r] * c + ch) * h * w, ob = out.offset() + u * ph * pw;
                float inv = (float) p.invCount()[r];
                java.util.Arrays.fill(rows, 0, ph * span, 0f);
                for (int py = 0; py < ph; py++) {
                    int at = r * ph + py;
                    for (int t2 = 0; t2 < p.yLen()[at]; t2++) {
                        axpy(plan.yW[at * p.ny() + t2], xs, plane + (p.yStart()[at] + t2) * w + lo, rows, py * span, span);
                    }
                }
                for (int py = 0; py < ph; py++)
                    for (int px = 0; px < pw; px++) {
                        int at = r * pw + px;
                        float acc = 0f;
                        for (int t2 = 0; t2 < p.xLen()[at]; t2++) {
                            acc += plan.xW[at * p.nx() + t2] * rows[py * span + p.xStart()[at] - lo + t2];
                        }
                        os[ob + py * pw + px] = acc * inv;
                    }
            }
        });
    }

    /** gx (zero-filled by the caller) += RoIAlign's transpose applied to gy. */
    static void backward(WorkerPool pool, View gy, View rois, RoiAlignParams params, View gx) {
        int n = gx.shape()[0], c = gx.shape()[1], h = gx.shape()[2], w = gx.shape()[3], ph = params.outH(), pw = params.outW();
        Plan plan = Plan.of(rois, params, h, w);
        RefRoiAlign.Plan p = plan.p;
        List<List<Integer>> byImage = new ArrayList<>();
        for (int b = 0; b < n; b++) byImage.add(new ArrayList<>());
        for (int r = 0; r < p.rois(); r++) byImage.get(p.batch()[r]).add(r);
        float[] gs = f(gy), xs = f(gx);
        int planes = n * c, tasks = pool.tasks(planes, Long.MAX_VALUE, 0);
        pool.forRange(tasks, t -> {
            float[] rows = new float[ph * Math.max(1, w)];
            for (int pl = planes * t / tasks, end = planes * (t + 1) / tasks; pl < end; pl++) {
                int b = pl / c, ch = pl % c, plane = gx.offset() + pl * h * w;
                for (int r : byImage.get(b)) {
                    int lo = plan.xLo[r], span = plan.span[r], gb = gy.offset() + (r * c + ch) * ph * pw;
                    float inv = (float) p.invCount()[r];
                    java.util.Arrays.fill(rows, 0, ph * span, 0f);
                    for (int py = 0; py < ph; py++)
                        for (int px = 0; px < pw; px++) {
                            int at = r * pw + px;
                            float g = gs[gb + py * pw + px] * inv;
                            for (int t2 = 0; t2 < p.xLen()[at]; t2++) {
                                rows[py * span + p.xStart()[at] - lo + t2] += plan.xW[at * p.nx() + t2] * g;
                            }
                        }
                    for (int py = 0; py < ph; py++) {
                        int at = r * ph + py;
                        for (int t2 = 0; t2 < p.yLen()[at]; t2++) {
                            axpy(plan.yW[at * p.ny() + t2], rows, py * span, xs, plane + (p.yStart()[at] + t2) * w + lo, span);
                        }
                    }
                }
            }
        });
    }

    /** dst[d..d+n) += a * src[s..s+n). */
    private static void axpy(float a, float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, a);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, src, s + i).fma(va, FloatVector.fromArray(S, dst, d + i)).intoArray(dst, d + i);
        }
        for (; i < n; i++) dst[d + i] += a * src[s + i];
    }
}
