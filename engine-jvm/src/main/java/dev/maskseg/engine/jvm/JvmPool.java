package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.View;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import static dev.maskseg.engine.jvm.ViewArrays.f;
import static dev.maskseg.engine.jvm.ViewArrays.longs;

/**
 * max_pool2d on dense float32 NCHW planes, in parallel over planes: the reference semantics (the first maximum wins a
 * tie, a NaN always wins, padding never does) on float arrays without per-element dispatch. Windows inside the plane
 * are taken a vector of output columns at a time (stride 2 splits two loads into even and odd lanes), with the running maximum and its
 * position updated by masks: a scalar compare-and-select per element mispredicts on real data and ran 15 cycles per
 * element. Its backward is a scatter_add ({@link JvmIndex}).
 */
final class JvmPool {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final VectorSpecies<Integer> I = VectorWidth.INTS;
    private static final int V = S.length();
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);

    private JvmPool() {}

    static void maxPool2d(WorkerPool pool, View x, PoolParams p, View out, View indices) {
        int planes = x.shape()[0] * x.shape()[1], hh = x.shape()[2], ww = x.shape()[3], oh = out.shape()[2], ow = out.shape()[3];
        float[] xs = f(x), os = f(out);
        long[] is = longs(indices);
        int sx = p.strideW(), dx = p.dilationW(), kw = p.kernelW();
        // the output columns whose windows lie inside the row: no bounds test per element there
        int inLo = Math.min(ow, Math.ceilDiv(p.padW(), sx));
        int inHi = Math.max(inLo, Math.min(ow, Math.floorDiv(ww - 1 - (kw - 1) * dx + p.padW(), sx) + 1));
        int tasks = pool.tasks(planes, (long) planes * oh * ow * p.kernelH() * kw, 65_536);
        pool.forRange(tasks, t -> {
            int[] lanes = new int[V], args = new int[V];
            for (int l = 0; l < V; l++) lanes[l] = l * sx;
            IntVector laneOffsets = IntVector.fromArray(I, lanes, 0);
            for (int pl = planes * t / tasks, end = planes * (t + 1) / tasks; pl < end; pl++) {
                int xb = x.offset() + pl * hh * ww, ob = pl * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = oy * p.strideH() - p.padH();
                    int iLo = 0, iHi = p.kernelH();
                    while (iLo < iHi && y0 + iLo * p.dilationH() < 0) iLo++;
                    while (iHi > iLo && y0 + (iHi - 1) * p.dilationH() >= hh) iHi--;
                    int o = out.offset() + ob + oy * ow, io = indices.offset() + ob + oy * ow;
                    int lo = iLo < iHi ? inLo : ow, hi = iLo < iHi ? inHi : ow;
                    for (int ox = 0; ox < lo; ox++) edge(xs, xb, hh, ww, p, y0, ox, os, o + ox, is, io + ox);
                    int vectorEnd = lo;
                    for (; vectorEnd + V <= hi; vectorEnd += V) {
                        int ox0 = vectorEnd, x0 = ox0 * sx - p.padW();
                        int first = (y0 + iLo * p.dilationH()) * ww + x0;
                        FloatVector best = load(xs, xb + first, sx, lanes);
                        IntVector arg = laneOffsets.add(first);
                        for (int i = iLo; i < iHi; i++) {
                            int row = (y0 + i * p.dilationH()) * ww + x0;
                            for (int j = i == iLo ? 1 : 0; j < kw; j++) {
                                FloatVector v = load(xs, xb + row + j * dx, sx, lanes);
                                VectorMask<Float> take = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
                                best = best.blend(v, take);
                                arg = arg.blend(laneOffsets.add(row + j * dx), take.cast(I));
                            }
                        }
                        best.intoArray(os, o + ox0);
                        arg.intoArray(args, 0);
                        for (int l = 0; l < V; l++) is[io + ox0 + l] = args[l];
                    }
                    for (int ox = vectorEnd; ox < hi; ox++) {
                        int x0 = ox * sx - p.padW();
                        int arg = (y0 + iLo * p.dilationH()) * ww + x0;
                        float best = xs[xb + arg];
                        for (int i = iLo; i < iHi; i++) {
                            int row = (y0 + i * p.dilationH()) * ww + x0;
                            for (int j = i == iLo ? 1 : 0; j < kw; j++) {
                                float v = xs[xb + row + j * dx];
                                boolean take = v > best || v != v;
                                best = take ? v : best;
                                arg = take ? row + j * dx : arg;
                            }
                        }
                        os[o + ox] = best;
                        is[io + ox] = arg;
                    }
                    for (int ox = Math.max(hi, lo); ox < ow; ox++) edge(xs, xb, hh, ww, p, y0, ox, os, o + ox, is, io + ox);
                }
            }
        });
    }

    /** V values from xs[at], sx apart: stride 2 (the usual one) as the even lanes of two loads, others by a gather. */
    private static FloatVector load(float[] xs, int at, int sx, int[] lanes) {
        if (sx == 1) return FloatVector.fromArray(S, xs, at);
        if (sx == 2 && at + 2 * V <= xs.length) return FloatVector.fromArray(S, xs, at).rearrange(EVEN, FloatVector.fromArray(S, xs, at + V));
        return FloatVector.fromArray(S, xs, at, lanes, 0);
    }

    /** One window that may reach past the row's ends. */
    private static void edge(float[] xs, int xb, int hh, int ww, PoolParams p, int y0, int ox, float[] os, int o, long[] is, int io) {
        int x0 = ox * p.strideW() - p.padW(), arg = -1;
        float best = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < p.kernelH(); i++) {
            int iy = y0 + i * p.dilationH();
            if (iy < 0 || iy >= hh) continue;
            for (int j = 0; j < p.kernelW(); j++) {
                int ix = x0 + j * p.dilationW();
                if (ix < 0 || ix >= ww) continue;
                float v = xs[xb + iy * ww + ix];
                if (arg < 0 || v > best || Float.isNaN(v)) {
                    best = v;
                    arg = iy * ww + ix;
                }
            }
        }
        os[o] = best;
        is[io] = arg;
    }
}
