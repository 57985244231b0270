package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.backend.ReduceOp;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.ReferenceBackend;
import dev.maskseg.engine.storage.HostStorage;

import java.util.Arrays;
import java.util.logging.Logger;

import static dev.maskseg.engine.aparapi.ArenaKernel.*;

/**
 * Host side of the reduction family: sum/max/min (with arg indices) on the device ({@link AparapiReduceKernel}); top-k
 * on the host (download, sort with the reference kernel, upload; logged once).
 */
final class AparapiReduce extends DeviceOps {
    private static final Logger LOG = Logger.getLogger(AparapiReduce.class.getName());
    private final ReferenceBackend host = new ReferenceBackend("aparapi-host");
    private boolean toldTopk;

    AparapiReduce(AparapiBackend be) {
        super(be);
    }

    void reduce(ReduceOp op, View src, int reducedDims, View dst, View indices) {
        int r = src.rank(), outer = r - reducedDims;
        if (reducedDims > MAXR) throw new IllegalArgumentException("aparapi: reduce over " + reducedDims + " dims");
        int[] outerShape = Arrays.copyOfRange(src.shape(), 0, outer);
        int[] m = l.strided(outerShape, new View[]{src, dst},
                new int[][]{Arrays.copyOfRange(src.strides(), 0, outer), new int[outer]});
        int innerN = 1;
        m[EXTRA] = reducedDims;
        for (int i = 0; i < reducedDims; i++) {
            m[EXTRA + 1 + i] = src.shape()[outer + i];
            m[EXTRA + 1 + MAXR + i] = src.strides()[outer + i];
            innerN *= src.shape()[outer + i];
        }
        m[EXTRA + 1 + 2 * MAXR] = innerN;
        m[EXTRA + 2 + 2 * MAXR] = indices == null ? 0 : 1;
        m[EXTRA + 3 + 2 * MAXR] = indices == null ? 0 : Launcher.at(indices);
        l.launch(OP_REDUCE, op.ordinal(), dst.numel());
    }

    void topk(View src, int k, boolean largest, View values, View indices) {
        if (!toldTopk) {
            LOG.info("aparapi: topk runs on the host (download, sort, upload)");
            toldTopk = true;
        }
        View hs = new View(be.toHost(src.storage()), src.offset(), src.shape(), src.strides());
        HostStorage hv = HostStorage.allocate(values.dtype(), values.numel());
        HostStorage hi = HostStorage.allocate(indices.dtype(), indices.numel());
        host.topk(hs, k, largest, new View(hv, 0, values.shape(), View.contiguousStrides(values.shape())),
                new View(hi, 0, indices.shape(), View.contiguousStrides(indices.shape())));
        be.upload(hv, 0, Launcher.at(values), hv.length());
        be.upload(hi, 0, Launcher.at(indices), hi.length());
    }
}
