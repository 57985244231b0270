package dev.maskseg.engine.tornado;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.RoiAlignParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.RefRoiAlign;
import dev.maskseg.engine.storage.HostStorage;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.util.Arrays;
import java.util.function.Function;

import static dev.maskseg.engine.tornado.TornadoRoiAlignKernel.*;

/**
 * Host side of the RoIAlign family: the boxes (a few thousand numbers) come to the host, the reference's separable
 * plan ({@link RefRoiAlign#plan}, so the sampling geometry is exactly the reference's) goes to the double arena as one
 * table, and {@link TornadoRoiAlignKernel} applies it on the device (docs/methods.md §3.4).
 */
final class TornadoRoiAlign extends DeviceOps {
    private final Function<View, HostStorage> toHost;

    /** toHost: the boxes' values on the host (the backend's download). */
    TornadoRoiAlign(DeviceArena arena, Function<View, HostStorage> toHost) {
        super(arena);
        this.toHost = toHost;
    }

    void roiAlign(View features, View rois, RoiAlignParams p, View out) {
        run("roi_align", dense(features), rois, p, out, false);
    }

    /** Accumulates into gradFeatures. */
    void roiAlignBackward(View gradOut, View rois, RoiAlignParams p, View gradFeatures) {
        run("roi_align backward", gradFeatures, rois, p, dense(gradOut), true);
    }

    /** features: x (forward) or gradX (backward, written); out: y (forward, written) or gradY. */
    private void run(String op, View features, View rois, RoiAlignParams p, View out, boolean backward) {
        requireF32(op, features, out);
        View written = backward ? features : out;
        if (!written.isContiguous()) {
            throw new IllegalArgumentException("tornado " + op + ": output " + Arrays.toString(written.shape())
                    + " must be contiguous");
        }
        int n = features.shape()[0], c = features.shape()[1], h = features.shape()[2], w = features.shape()[3];
        HostStorage hostRois = toHost.apply(rois);
        RefRoiAlign.Plan plan = RefRoiAlign.plan(new View(hostRois, rois.offset(), rois.shape(), rois.strides()), p, h, w,
                DType.FLOAT32);
        int k = plan.rois();
        if (k == 0) return;
        double[][] parts = {doubles(plan.batch()), plan.invCount(), doubles(plan.yStart()), doubles(plan.yLen()),
                plan.yWeight(), doubles(plan.xStart()), doubles(plan.xLen()), plan.xWeight()};
        int[] offsets = new int[parts.length];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = total;
            total += parts[i].length;
        }
        double[] table = new double[total];
        for (int i = 0; i < parts.length; i++) System.arraycopy(parts[i], 0, table, offsets[i], parts[i].length);
        int t = uploadTable(table);
        IntArray m = meta();
        args(m, c, h, w, p.outH(), p.outW(), plan.ny(), plan.nx(), at(features), at(out), k);
        for (int i = 0; i < parts.length; i++) m.set(BATCH_AT + i, t + offsets[i]);
        if (backward) launch(Kernel.ROI_ALIGN_BACKWARD, n * c * h);
        else launch(Kernel.ROI_ALIGN, k * c * p.outH() * p.outW());
    }

    private static double[] doubles(int[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
