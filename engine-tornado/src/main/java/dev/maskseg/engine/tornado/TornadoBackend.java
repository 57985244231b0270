package dev.maskseg.engine.tornado;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.RoiAlignParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.ReferenceBackend;
import dev.maskseg.engine.storage.HostStorage;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.logging.Logger;

/**
 * The TornadoVM backend: float32 matmul (tiled, local memory; {@link TornadoLinAlg}), elementwise arithmetic
 * ({@link TornadoPointwise}) and (log-)softmax ({@link TornadoNorm}) run as TornadoVM KernelContext kernels, one class
 * per op family named as the family's ops and reference kernels; every other op, and every case these
 * kernels do not take (other dtypes, broadcasting, strided views), runs on the host reference
 * kernels. Both facts are logged when the backend is created. Storages stay on the JVM heap and
 * each accelerated op transfers its operands (see TornadoPlans).
 */
final class TornadoBackend extends ReferenceBackend {
    static final String NAME = "tornado";
    private static final Logger LOG = Logger.getLogger(TornadoBackend.class.getName());

    private final TornadoPlans plans = new TornadoPlans();

    TornadoBackend() {
        super(NAME);
        LOG.info("tornado: matmul, add/sub/mul/div/max/min and softmax run on the TornadoVM device; "
                + "all other ops and non-contiguous or non-float32 cases run on the host reference kernels");
    }

    @Override public String device() { return "TornadoVM default device (see tornado --devices)"; }

    /** The accelerated ops run on the device (the host fallbacks on this thread). */
    @Override public int threads() { return 0; }

    private static boolean denseF32(View... vs) {
        for (View v : vs) if (v.dtype() != DType.FLOAT32 || !v.isContiguous()) return false;
        return true;
    }

    private static float[] data(View v) { return ((HostStorage.F32) v.storage()).data; }

    private static void load(FloatArray dst, View v, int n) {
        float[] d = data(v);
        for (int i = 0; i < n; i++) dst.set(i, d[v.offset() + i]);
    }

    private static void store(FloatArray src, View v, int n) {
        float[] d = data(v);
        for (int i = 0; i < n; i++) d[v.offset() + i] = src.get(i);
    }

    @Override
    public synchronized void matmul(View a, View b, View dst) {
        int r = a.rank();
        if (r != 2 || !denseF32(a, b, dst)) {
            super.matmul(a, b, dst);
            return;
        }
        int m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
        TornadoPlans.Plan p = plans.get(TornadoPlans.Kind.GEMM, Math.max(m * k, Math.max(k * n, m * n)));
        load(p.in0, a, m * k);
        load(p.in1, b, k * n);
        p.dims.set(0, m);
        p.dims.set(1, n);
        p.dims.set(2, k);
        int ts = TornadoLinAlg.TS;
        p.run((n + ts - 1) / ts * ts, (m + ts - 1) / ts * ts, ts, ts);
        store(p.out, dst, m * n);
    }

    @Override
    public synchronized void binary(BinaryOp op, View a, View b, View dst) {
        if (op.ordinal() > BinaryOp.MIN.ordinal() || !denseF32(a, b, dst)) {
            super.binary(op, a, b, dst);
            return;
        }
        int n = dst.numel();
        TornadoPlans.Plan p = plans.get(TornadoPlans.Kind.BINARY, n);
        load(p.in0, a, n);
        load(p.in1, b, n);
        p.dims.set(0, n);
        p.dims.set(1, op.ordinal());
        p.run((n + 63) / 64 * 64, 1, 64, 1);
        store(p.out, dst, n);
    }

    @Override
    public synchronized void softmax(View x, View out, boolean log) {
        if (!denseF32(x, out) || x.numel() == 0) {
            super.softmax(x, out, log);
            return;
        }
        int d = x.shape()[x.rank() - 1], rows = x.numel() / d;
        TornadoPlans.Plan p = plans.get(TornadoPlans.Kind.SOFTMAX, x.numel());
        load(p.in0, x, x.numel());
        p.dims.set(0, rows);
        p.dims.set(1, d);
        p.dims.set(2, log ? 1 : 0);
        p.run((rows + 63) / 64 * 64, 1, 64, 1);
        store(p.out, out, x.numel());
    }

    /** Temporary host path, logged once (see {@link TornadoRoiAlign}). */
    @Override
    public synchronized void roiAlign(View features, View rois, RoiAlignParams p, View out) {
        TornadoRoiAlign.announceHostPath();
        super.roiAlign(features, rois, p, out);
    }

    @Override
    public synchronized void roiAlignBackward(View gradOut, View rois, RoiAlignParams p, View gradFeatures) {
        TornadoRoiAlign.announceHostPath();
        super.roiAlignBackward(gradOut, rois, p, gradFeatures);
    }
}
