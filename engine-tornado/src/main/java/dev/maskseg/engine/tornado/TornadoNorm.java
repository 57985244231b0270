package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The normalization family's KernelContext kernel: softmax / log-softmax rows. TornadoVM compiles it for the device;
 * dims carries the launch sizes (the arrays are reused buffers, larger than the data of one call, see TornadoPlans).
 */
final class TornadoNorm {
    private TornadoNorm() {}

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
