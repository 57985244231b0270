package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.ArenaPool;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Device memory of the aparapi backend: the kernel's two arena arrays ({@code f}, {@code d}) stay
 * on the device and every tensor is a range inside one of them, so ops never copy tensors between
 * host and device. Ranges come back when their storage object is garbage collected; dead ranges
 * are reclaimed only between ops ({@link #reclaim}), never while an op may still address them.
 * A full arena grows (one device round trip of the arena) up to the device's limit; near the
 * limit, dead tensors are collected instead.
 */
final class DeviceArena {
    private static final Logger LOG = Logger.getLogger(DeviceArena.class.getName());

    private final EngineKernel kernel;
    private final ArenaPool floats, doubles;
    private final long maxElements;
    private final ReferenceQueue<AparapiStorage> queue = new ReferenceQueue<>();
    private final Set<Block> live = new HashSet<>();
    private long allocatedSinceGc;

    private static final class Block extends PhantomReference<AparapiStorage> {
        final boolean floatArena;
        final int offset, length;

        Block(AparapiStorage s, ReferenceQueue<AparapiStorage> q) {
            super(s, q);
            floatArena = s.inFloatArena();
            offset = s.offset;
            length = s.length();
        }
    }

    DeviceArena(EngineKernel kernel, int floatCapacity, int doubleCapacity, long maxBytes) {
        this.kernel = kernel;
        this.floats = new ArenaPool(floatCapacity);
        this.doubles = new ArenaPool(doubleCapacity);
        this.maxElements = maxArenaBytes(maxBytes, Runtime.getRuntime().maxMemory()) / 4;
        kernel.f = new float[floatCapacity];
        kernel.d = new double[doubleCapacity];
    }

    /**
     * The float arena's byte limit: the device's, but below 2 GiB because Aparapi sizes an OpenCL buffer in int
     * bytes (a 4 GiB arena fails with "clCreateBuffer failed invalid buffer size"), and at most a third of the Java
     * heap, which holds the arena's host mirror and, while it grows, a copy.
     */
    static long maxArenaBytes(long deviceBytes, long heapBytes) {
        return Math.min(Math.min(deviceBytes, Integer.MAX_VALUE - 4096L), heapBytes / 3);
    }

    AparapiStorage allocate(DType dtype, int length) {
        boolean isFloat = dtype == DType.FLOAT32;
        ArenaPool pool = isFloat ? floats : doubles;
        int at = pool.allocate(length);
        if (at < 0) {
            grow(isFloat, length);
            at = pool.allocate(length);
        }
        allocatedSinceGc += length;
        AparapiStorage s = new AparapiStorage(dtype, length, at);
        live.add(new Block(s, queue));
        return s;
    }

    /**
     * Returns the ranges of collected storages. When an arena is more than half full and cannot
     * double any more, it first asks for a garbage collection, at most once per eighth of the
     * arena allocated since the last one (the JVM does not see device memory pressure).
     */
    void reclaim() {
        drain(0);
        if (crowded(floats, maxElements) || crowded(doubles, maxElements / 2)) {
            allocatedSinceGc = 0;
            System.gc();
            drain(50);
        }
    }

    private boolean crowded(ArenaPool pool, long limit) {
        return pool.used() > pool.capacity() / 2 && 2L * pool.capacity() > limit
                && allocatedSinceGc > pool.capacity() / 8;
    }

    private void drain(long waitMillis) {
        try {
            Reference<? extends AparapiStorage> r = waitMillis > 0 ? queue.remove(waitMillis) : queue.poll();
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
        long target = Math.max(2L * pool.capacity(), (long) pool.capacity() + ArenaPool.rounded(need) + ArenaPool.ALIGN);
        long limit = isFloat ? maxElements : maxElements / 2;
        if (target > limit) {
            target = limit;
            if (target < (long) pool.capacity() + ArenaPool.rounded(need)) {
                throw new IllegalStateException("aparapi: out of device memory allocating " + need + " elements ("
                        + (isFloat ? "float32" : "float64/int") + " arena " + pool.capacity() + " elements, "
                        + pool.used() + " in use); set -Dmaskseg.aparapi.maxMemoryMB or use smaller batches");
            }
        }
        int cap = (int) (target / ArenaPool.ALIGN * ArenaPool.ALIGN);
        LOG.fine(() -> "aparapi: growing " + (isFloat ? "float" : "double") + " arena to " + cap + " elements");
        if (isFloat) {
            kernel.get(kernel.f);
            float[] bigger = java.util.Arrays.copyOf(kernel.f, cap);
            kernel.f = bigger;
            kernel.put(bigger);
        } else {
            kernel.get(kernel.d);
            double[] bigger = java.util.Arrays.copyOf(kernel.d, cap);
            kernel.d = bigger;
            kernel.put(bigger);
        }
        pool.grow(cap);
    }

    int floatCapacity() { return floats.capacity(); }

    String usage() {
        return String.format("float arena %d/%d, double arena %d/%d elements in use",
                floats.used(), floats.capacity(), doubles.used(), doubles.capacity());
    }
}
