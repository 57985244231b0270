package dev.maskseg.engine.tornado;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.ArenaPool;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Device memory of the tornado backend: two arenas (float32, and doubles for every other dtype) that stay on the device
 * inside the backend's {@link KernelPlan}; every tensor is a range of one of them, so ops never copy tensors between
 * host and device. A range comes back when its storage object is garbage collected, and only between ops
 * ({@link #reclaim}), never while an op may still address it. A full arena grows, which rebuilds the plan (the arenas
 * make one round trip through the host, and the kernels compile again on their next launch), up to a limit; before
 * an arena gets full, dead tensors are collected, so it grows only when the live tensors need it and memory stays
 * bounded over a long run.
 */
final class DeviceArena implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DeviceArena.class.getName());
    /** A growing arena doubles at least. */
    private static final int GROWTH = 2;

    private final TornadoDevice device;
    private final int reductionGroup;
    private final boolean profile;
    private final KernelStats stats;
    private final Set<Kernel> failed = KernelPlan.noFailures();
    private final ArenaPool floats, doubles;
    private final long maxFloats, maxDoubles;
    private final ReferenceQueue<TornadoStorage> queue = new ReferenceQueue<>();
    private final Set<Block> live = new HashSet<>();
    private long allocatedSinceGc;
    private int rebuilds;
    private KernelPlan plan;

    /** A live block, found again through the reference queue once its storage is unreachable. */
    private static final class Block extends WeakReference<TornadoStorage> {
        final boolean floatArena;
        final int offset, length;

        Block(TornadoStorage s, ReferenceQueue<TornadoStorage> q) {
            super(s, q);
            floatArena = s.inFloatArena();
            offset = s.offset;
            length = s.length();
        }
    }

    DeviceArena(TornadoDevice device, int floatCapacity, int doubleCapacity, long maxBytes, boolean profile, KernelStats stats,
                int reductionGroup) {
        this.device = device;
        this.reductionGroup = reductionGroup;
        this.profile = profile;
        this.stats = stats;
        this.maxFloats = Math.min(maxBytes / Float.BYTES, Integer.MAX_VALUE - 2L * ArenaPool.ALIGN);
        this.maxDoubles = Math.min(maxBytes / Double.BYTES, Integer.MAX_VALUE - 2L * ArenaPool.ALIGN);
        this.floats = new ArenaPool((int) Math.min(floatCapacity, maxFloats));
        this.doubles = new ArenaPool((int) Math.min(doubleCapacity, maxDoubles));
        this.plan = new KernelPlan(device, floats.capacity(), doubles.capacity(), profile, stats, failed, null);
    }

    /** The largest work-group of a row reduction on this device. */
    int reductionGroup() { return reductionGroup; }

    /** The current plan (a new one after an arena grew: never keep it across an allocation). */
    KernelPlan plan() { return plan; }

    TornadoStorage allocate(DType dtype, int length) {
        boolean isFloat = dtype == DType.FLOAT32;
        ArenaPool pool = isFloat ? floats : doubles;
        int at = pool.allocate(length);
        if (at < 0) {
            grow(isFloat, length);
            at = pool.allocate(length);
        }
        allocatedSinceGc += length;
        TornadoStorage s = new TornadoStorage(dtype, length, at);
        live.add(new Block(s, queue));
        return s;
    }

    /**
     * Returns the ranges of collected storages. When an arena is more than three quarters full, it first asks for a
     * garbage collection, at most once per quarter of the arena allocated since the last one: the JVM does not see
     * device memory pressure, and a collection is much cheaper than growing (a new plan, every kernel compiled again).
     * Only here, between ops: inside an op a dead storage's range may still be addressed by offset.
     */
    void reclaim() {
        drain(0);
        if (crowded(floats) || crowded(doubles)) {
            allocatedSinceGc = 0;
            System.gc();
            drain(50);
        }
    }

    private boolean crowded(ArenaPool pool) {
        return pool.used() > pool.capacity() / 4 * 3 && allocatedSinceGc > pool.capacity() / 4;
    }

    private void drain(long waitMillis) {
        try {
            Reference<? extends TornadoStorage> r = waitMillis > 0 ? queue.remove(waitMillis) : queue.poll();
            while (r != null) {
                Block b = (Block) r;
                if (live.remove(b)) (b.floatArena ? floats : doubles).release(b.offset, b.length);
                r = queue.poll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void grow(boolean isFloat, int need) {
        ArenaPool pool = isFloat ? floats : doubles;
        long limit = isFloat ? maxFloats : maxDoubles;
        long target = Math.max((long) GROWTH * pool.capacity(), (long) pool.capacity() + ArenaPool.rounded(need) + ArenaPool.ALIGN);
        if (target > limit) {
            target = limit;
            if (target < (long) pool.capacity() + ArenaPool.rounded(need)) {
                throw new IllegalStateException("tornado: out of device memory allocating " + need + " elements ("
                        + (isFloat ? "float32" : "float64/int") + " arena " + pool.capacity() + " elements, " + pool.used()
                        + " in use); set -D" + TornadoBackendProvider.MAX_MEMORY_MB + " or use smaller batches");
            }
        }
        int cap = (int) (target / ArenaPool.ALIGN * ArenaPool.ALIGN);
        LOG.info(() -> "tornado: growing the " + (isFloat ? "float32" : "double") + " arena to " + cap
                + " elements (a new execution plan; kernels compile again)");
        KernelPlan old = plan;
        plan = new KernelPlan(device, isFloat ? cap : floats.capacity(), isFloat ? doubles.capacity() : cap,
                profile, stats, failed, old);
        old.close();
        pool.grow(cap);
        rebuilds++;
    }

    int floatCapacity() { return floats.capacity(); }

    int doubleCapacity() { return doubles.capacity(); }

    long bytesInUse() { return floats.used() * Float.BYTES + doubles.used() * Double.BYTES; }

    /** Kernels TornadoVM could not compile for the device (each fails its later launches at once). */
    Set<Kernel> failedKernels() { return failed; }

    /** Plans replaced because an arena grew. */
    int rebuilds() { return rebuilds; }

    String usage() {
        return String.format("float arena %d/%d, double arena %d/%d elements in use",
                floats.used(), floats.capacity(), doubles.used(), doubles.capacity());
    }

    @Override
    public void close() { plan.close(); }
}
