package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.View;

import static dev.maskseg.engine.jvm.ViewArrays.f;
import static dev.maskseg.engine.jvm.ViewArrays.longs;

/**
 * max_pool2d on dense float32 NCHW planes, in parallel over planes: the reference semantics (the first maximum wins a
 * tie, a NaN always wins, padding never does) on float arrays without per-element dispatch. Its backward is a
 * scatter_add ({@link JvmIndex}).
 */
final class JvmPool {
    private JvmPool() {}

    static void maxPool2d(WorkerPool pool, View x, PoolParams p, View out, View indices) {
        int planes = x.shape()[0] * x.shape()[1], hh = x.shape()[2], ww = x.shape()[3], oh = out.shape()[2], ow = out.shape()[3];
        float[] xs = f(x), os = f(out);
        long[] is = longs(indices);
        int tasks = pool.tasks(planes, (long) planes * oh * ow * p.kernelH() * p.kernelW(), 65_536);
        pool.forRange(tasks, t -> {
            for (int pl = planes * t / tasks, end = planes * (t + 1) / tasks; pl < end; pl++) {
                int xb = x.offset() + pl * hh * ww, ob = pl * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = oy * p.strideH() - p.padH();
                    for (int ox = 0; ox < ow; ox++) {
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
                        os[out.offset() + ob + oy * ow + ox] = best;
                        is[indices.offset() + ob + oy * ow + ox] = arg;
                    }
                }
            }
        });
    }
}
