package dev.maskseg.engine.tornado;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The RoIAlign family on the tornado backend: for now a host path, the reference kernels (RefRoiAlign) on the JVM heap
 * storages this backend uses, announced once per process in the log. TEMPORARY (issue 17): the tornado backend is being
 * rewritten (issue 16), which replaces this class with TornadoVM kernels.
 */
final class TornadoRoiAlign {
    private static final Logger LOG = Logger.getLogger(TornadoRoiAlign.class.getName());
    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();

    private TornadoRoiAlign() {}

    static void announceHostPath() {
        if (ANNOUNCED.compareAndSet(false, true)) {
            LOG.warning("tornado: roi_align and its backward run on the host reference kernels (no TornadoVM kernel yet; "
                    + "temporary, see issue 16)");
        }
    }
}
