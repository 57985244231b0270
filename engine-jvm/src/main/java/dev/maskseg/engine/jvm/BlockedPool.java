package dev.maskseg.engine.jvm;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.View;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/** Max pooling on channels-blocked activations, 16 channels per vector: what a frozen ResNet's stem pools with, no indices kept. */
final class BlockedPool {
    private static final int B = BlockedConvKernel.BLOCK;
    private static final VectorSpecies<Float> S = BlockedConvKernel.S;

    private BlockedPool() {}

    static boolean takes(DType dtype, PoolParams p) {
        return BlockedConv.ENABLED && dtype == DType.FLOAT32 && p.dilationH() == 1 && p.dilationW() == 1;
    }

    /** See {@link dev.maskseg.engine.backend.Backend#maxPool2dBlocked}: windows clipped to the input, as PyTorch's −∞ padding does. */
    static void max(WorkerPool pool, View x, int xBorder, PoolParams p, View out, int outBorder) {
        int planes = x.shape()[0] * x.shape()[1], hp = x.shape()[2], wp = x.shape()[3], h = hp - 2 * xBorder, w = wp - 2 * xBorder;
        int ohp = out.shape()[2], owp = out.shape()[3], oh = ohp - 2 * outBorder, ow = owp - 2 * outBorder;
        float[] xs = f(x), ys = f(out);
        WorkerPool.eachUnit(pool, planes * oh, (long) planes * oh * ow * p.kernelH() * p.kernelW() * B, 1 << 16, unit -> {
            int plane = unit / oh, r = unit % oh;
            int xPlane = x.offset() + plane * hp * wp * B, yPlane = out.offset() + plane * ohp * owp * B;
            int y0 = Math.max(0, r * p.strideH() - p.padH()), y1 = Math.min(h, r * p.strideH() - p.padH() + p.kernelH());
            int yRow = yPlane + ((r + outBorder) * owp + outBorder) * B;
            for (int o = 0; o < ow; o++) {
                int x0 = Math.max(0, o * p.strideW() - p.padW()), x1 = Math.min(w, o * p.strideW() - p.padW() + p.kernelW());
                FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int yy = y0; yy < y1; yy++) {
                    int at = xPlane + ((yy + xBorder) * wp + xBorder) * B;
                    for (int xx = x0; xx < x1; xx++) m = m.max(FloatVector.fromArray(S, xs, at + xx * B));
                }
                m.intoArray(ys, yRow + o * B);
            }
            BlockedConv.zeroBorder(ys, yPlane, r, oh, owp, outBorder);
        });
    }
}
