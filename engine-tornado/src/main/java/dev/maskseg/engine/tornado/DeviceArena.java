package dev.maskseg.engine.tornado;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.ArenaPool;
import dev.maskseg.engine.backend.DeviceArenas;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

import java.util.Set;
import java.util.logging.Logger;

/**
 * Device memory of the tornado backend: the {@link DeviceArenas} live on the device inside the backend's
 * {@link KernelPlan}. A growing arena rebuilds the plan (the arenas make one round trip through the host, and the
 * kernels compile again on their next launch); so when an arena is three quarters full, dead tensors are collected
 * first, at most once per quarter of the arena allocated since the last collection.
 */
final class DeviceArena extends DeviceArenas<TornadoStorage> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DeviceArena.class.getName());

    private final TornadoDevice device;
    private final int reductionGroup;
    private final boolean profile;
    private final KernelStats stats;
    private final Set<Kernel> failed = KernelPlan.noFailures();
    private final long maxFloats, maxDoubles;
    private int rebuilds;
    private KernelPlan plan;

    DeviceArena(TornadoDevice device, int floatCapacity, int doubleCapacity, long maxBytes, boolean profile, KernelStats stats,
                int reductionGroup) {
        super(TornadoBackend.NAME, (int) Math.min(floatCapacity, maxElements(maxBytes, Float.BYTES)),
                (int) Math.min(doubleCapacity, maxElements(maxBytes, Double.BYTES)));
        this.device = device;
        this.reductionGroup = reductionGroup;
        this.profile = profile;
        this.stats = stats;
        this.maxFloats = maxElements(maxBytes, Float.BYTES);
        this.maxDoubles = maxElements(maxBytes, Double.BYTES);
        this.plan = new KernelPlan(device, floats.capacity(), doubles.capacity(), profile, stats, failed, null);
    }

    private static long maxElements(long maxBytes, int elementBytes) {
        return Math.min(maxBytes / elementBytes, Integer.MAX_VALUE - 2L * ArenaPool.ALIGN);
    }

    /** The largest work-group of a row reduction on this device. */
    int reductionGroup() { return reductionGroup; }

    /** The current plan (a new one after an arena grew: never keep it across an allocation). */
    KernelPlan plan() { return plan; }

    @Override
    protected TornadoStorage newStorage(DType dtype, int length, int offset) { return new TornadoStorage(dtype, length, offset); }

    @Override
    protected boolean crowded(ArenaPool pool, boolean isFloat) {
        return pool.used() > pool.capacity() / 4 * 3 && allocatedSinceGc > pool.capacity() / 4;
    }

    @Override
    protected long limit(boolean isFloat) { return isFloat ? maxFloats : maxDoubles; }

    @Override
    protected String memoryProperty() { return TornadoBackendProvider.MAX_MEMORY_MB; }

    @Override
    protected void resize(boolean isFloat, int capacity) {
        LOG.info(() -> "tornado: growing the " + (isFloat ? "float32" : "double") + " arena to " + capacity
                + " elements (a new execution plan; kernels compile again)");
        KernelPlan old = plan;
        plan = new KernelPlan(device, isFloat ? capacity : floats.capacity(), isFloat ? doubles.capacity() : capacity,
                profile, stats, failed, old);
        old.close();
        rebuilds++;
    }

    /** Kernels TornadoVM could not compile for the device (each fails its later launches at once). */
    Set<Kernel> failedKernels() { return failed; }

    /** Plans replaced because an arena grew. */
    int rebuilds() { return rebuilds; }

    @Override
    public void close() { plan.close(); }
}
