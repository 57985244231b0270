package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The pointwise family's KernelContext kernel: float32 add/sub/mul/div/max/min. TornadoVM compiles it for the device;
 * dims carries the launch sizes (the arrays are reused buffers, larger than the data of one call, see TornadoPlans).
 */
final class TornadoPointwise {
    private TornadoPointwise() {}

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
}
