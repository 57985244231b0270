package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.ResizeParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.RefResize;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/**
 * Nearest / bilinear / bicubic resizing of float32 NCHW planes and its backward, planes split over the pool's threads.
 * The arithmetic is the reference kernel's ({@link RefResize}: the same taps, products and order, in double), read and
 * written straight from the arrays, so the results are bit for bit the reference backend's.
 */
final class JvmResize {
    private JvmResize() {}

    static void forward(WorkerPool pool, View in, ResizeParams p, View out) {
        run(pool, in, p, out, false);
    }

    /** gradIn (+)= the transposed resize of gradOut; gradIn comes zeroed or holds what to add to. */
    static void backward(WorkerPool pool, View gradOut, ResizeParams p, View gradIn) {
        run(pool, gradIn, p, gradOut, true);
    }

    private static void run(WorkerPool pool, View in, ResizeParams p, View out, boolean backward) {
        int planes = in.shape()[0] * in.shape()[1], ih = in.shape()[2], iw = in.shape()[3];
        int oh = out.shape()[2], ow = out.shape()[3];
        RefResize.Taps ty = RefResize.taps(p.mode(), ih, oh, p.alignCorners(), p.scaleH());
        RefResize.Taps tx = RefResize.taps(p.mode(), iw, ow, p.alignCorners(), p.scaleW());
        float[] is = f(in), os = f(out);
        int ny = ty.ntaps(), nx = tx.ntaps();
        int[] yi = ty.index(), xi = tx.index();
        double[] yw = ty.weight(), xw = tx.weight();
        long work = (long) planes * oh * ow * ny * nx;
        int tasks = pool.tasks(planes, work, 65_536);
        pool.forRange(tasks, t -> {
            for (int pl = planes * t / tasks, end = planes * (t + 1) / tasks; pl < end; pl++) {
                int ib = in.offset() + pl * ih * iw, ob = out.offset() + pl * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int oAt = ob + oy * ow + ox;
                        double acc = 0, g = backward ? os[oAt] : 0;
                        for (int a = 0; a < ny; a++) {
                            int rowAt = ib + yi[oy * ny + a] * iw;
                            double wy = yw[oy * ny + a];
                            for (int b = 0; b < nx; b++) {
                                int iAt = rowAt + xi[ox * nx + b];
                                double wgt = wy * xw[ox * nx + b];
                                if (backward) is[iAt] = (float) (is[iAt] + wgt * g);
                                else acc += wgt * is[iAt];
                            }
                        }
                        if (!backward) os[oAt] = (float) acc;
                    }
                }
            }
        });
    }
}
