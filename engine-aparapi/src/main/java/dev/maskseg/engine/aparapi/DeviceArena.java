package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.ArenaPool;
import dev.maskseg.engine.backend.DeviceArenas;

import java.util.Arrays;
import java.util.logging.Logger;

/**
 * Device memory of the aparapi backend: the kernel's two arena arrays ({@code f}, {@code d}) are the arenas of
 * {@link DeviceArenas}. A full arena grows by one device round trip of the arena; when an arena is more than half full
 * and cannot double any more, dead tensors are collected first, at most once per eighth of the arena allocated since
 * the last collection.
 */
final class DeviceArena extends DeviceArenas<AparapiStorage> {
    private static final Logger LOG = Logger.getLogger(DeviceArena.class.getName());

    private final EngineKernel kernel;
    private final long maxElements;

    DeviceArena(EngineKernel kernel, int floatCapacity, int doubleCapacity, long maxBytes) {
        super(AparapiBackend.NAME, floatCapacity, doubleCapacity);
        this.kernel = kernel;
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

    @Override
    protected AparapiStorage newStorage(DType dtype, int length, int offset) { return new AparapiStorage(dtype, length, offset); }

    @Override
    protected boolean crowded(ArenaPool pool, boolean isFloat) {
        return pool.used() > pool.capacity() / 2 && 2L * pool.capacity() > limit(isFloat)
                && allocatedSinceGc > pool.capacity() / 8;
    }

    @Override
    protected long limit(boolean isFloat) { return isFloat ? maxElements : maxElements / 2; }

    @Override
    protected String memoryProperty() { return AparapiBackendProvider.MAX_MEMORY_MB; }

    @Override
    protected void resize(boolean isFloat, int capacity) {
        LOG.fine(() -> "aparapi: growing " + (isFloat ? "float" : "double") + " arena to " + capacity + " elements");
        if (isFloat) {
            kernel.get(kernel.f);
            kernel.f = Arrays.copyOf(kernel.f, capacity);
            kernel.put(kernel.f);
        } else {
            kernel.get(kernel.d);
            kernel.d = Arrays.copyOf(kernel.d, capacity);
            kernel.put(kernel.d);
        }
    }
}
