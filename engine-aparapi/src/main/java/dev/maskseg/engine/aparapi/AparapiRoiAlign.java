package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.RoiAlignParams;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.RefRoiAlign;
import dev.maskseg.engine.storage.HostStorage;

import static dev.maskseg.engine.aparapi.ArenaKernel.*;

/**
 * Host side of the RoIAlign family: the boxes (a few thousand numbers) come to the host, the reference's separable
 * plan ({@link RefRoiAlign#plan}) goes to the double arena, and {@link AparapiRoiAlignKernel} applies it: one work-item
 * per output element forward, one per feature row backward (each row gathers from every box of its image, so no two
 * work-items write the same element).
 */
final class AparapiRoiAlign extends DeviceOps {
    AparapiRoiAlign(AparapiBackend be) {
        super(be);
    }

    private int uploadDoubles(double[] values) {
        AparapiStorage s = be.arena.allocate(DType.FLOAT64, Math.max(1, values.length));
        be.upload(new HostStorage.F64(values), 0, s.offset, values.length);
        return s.offset;
    }

    private static double[] doubles(int[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    /** features = x (forward) or gradX (backward, accumulated); out = y or gradY. */
    void run(View features, View rois, RoiAlignParams p, View out, boolean backward) {
        requireF32("roi_align", features, out);
        if (backward) out = dense(out);
        else features = dense(features);
        int n = features.shape()[0], c = features.shape()[1], h = features.shape()[2], w = features.shape()[3];
        HostStorage hostRois = be.toHost(rois.storage());
        RefRoiAlign.Plan plan = RefRoiAlign.plan(new View(hostRois, rois.offset(), rois.shape(), rois.strides()), p, h, w, DType.FLOAT32);
        int k = plan.rois();
        if (k == 0) return;
        int[] v = {c, h, w, p.outH(), p.outW(), plan.ny(), plan.nx(), Launcher.at(features), Launcher.at(out),
                uploadDoubles(doubles(plan.batch())), uploadDoubles(plan.invCount()),
                uploadDoubles(doubles(plan.yStart())), uploadDoubles(doubles(plan.yLen())), uploadDoubles(plan.yWeight()),
                uploadDoubles(doubles(plan.xStart())), uploadDoubles(doubles(plan.xLen())), uploadDoubles(plan.xWeight()), k};
        System.arraycopy(v, 0, l.meta(), 0, v.length);
        if (backward) l.launch(OP_ROI_ALIGN_BWD, 0, n * c * h);
        else l.launch(OP_ROI_ALIGN, 0, k * c * p.outH() * p.outW());
    }
}
