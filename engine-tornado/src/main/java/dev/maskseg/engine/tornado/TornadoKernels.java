package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * KernelContext kernels that TornadoVM compiles for the device. dims carries the launch sizes
 * (the arrays are reused buffers, larger than the data of one call).
 */
final class TornadoKernels {
    static final int TS = 16;

    private TornadoKernels() {}

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

    /** out = a (op) b elementwise over dims[0] elements; op = BinaryOp ordinal in dims[1] (ADD..MIN). */
    static void binary(KernelContext ctx, FloatArray a, FloatArray b, FloatArray out, IntArray dims) {
        int i = ctx.globalIdx;
        if (i < dims.get(0)) {
            int op = dims.get(1);
            float x = a.get(i), y = b.get(i), r;
            if (op == 0) r = x + y;
            else if (op == 1) r = x - y;
            else if (op == 2) r = x * y;
            else if (op == 3) r = x / y;
            else if (op == 4) r = Math.max(x, y);
            else r = Math.min(x, y);
            out.set(i, r);
        }
    }

    /** Softmax (dims[2] == 0) or log-softmax of dims[0] rows of length dims[1], one work-item per row. */
    static void softmax(KernelContext ctx, FloatArray x, FloatArray out, IntArray dims) {
        int r = ctx.globalIdx, d = dims.get(1);
        if (r < dims.get(0)) {
            int base = r * d;
            float mx = x.get(base);
            for (int i = 1; i < d; i++) mx = Math.max(mx, x.get(base + i));
            float sum = 0f;
            for (int i = 0; i < d; i++) sum += (float) Math.exp(x.get(base + i) - mx);
            float logSum = (float) Math.log(sum);
            for (int i = 0; i < d; i++) {
                float z = x.get(base + i) - mx;
                out.set(base + i, dims.get(2) == 0 ? (float) Math.exp(z) / sum : z - logSum);
            }
        }
    }
}
