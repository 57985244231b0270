package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The linear-algebra family's KernelContext kernel: tiled float32 matmul. TornadoVM compiles it for the device; dims
 * carries the launch sizes (the arrays are reused buffers, larger than the data of one call, see TornadoPlans).
 */
final class TornadoLinAlg {
    static final int TS = 16;

    private TornadoLinAlg() {}

    /** c[m x n] = a[m x k] @ b[k x n]; dims = {m, n, k}; TS x TS tiles in local memory. */
    static void gemm(KernelContext ctx, FloatArray a, FloatArray b, FloatArray c, IntArray dims) {
        int m = dims.get(0), n = dims.get(1), k = dims.get(2);
        int tx = ctx.localIdx, ty = ctx.localIdy, col = ctx.globalIdx, row = ctx.globalIdy;
        float[] ta = ctx.allocateFloatLocalArray(TS * TS);
        float[] tb = ctx.allocateFloatLocalArray(TS * TS);
        float acc = 0f;
        for (int t = 0; t < k; t += TS) {
            ta[ty * TS + tx] = (row < m && t + tx < k) ? a.get(row * k + t + tx) : 0f;
            tb[ty * TS + tx] = (t + ty < k && col < n) ? b.get((t + ty) * n + col) : 0f;
            ctx.localBarrier();
            for (int p = 0; p < TS; p++) acc += ta[ty * TS + p] * tb[p * TS + tx];
            ctx.localBarrier();
        }
        if (row < m && col < n) c.set(row * n + col, acc);
    }
}
