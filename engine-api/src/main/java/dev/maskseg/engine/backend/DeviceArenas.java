package dev.maskseg.engine.backend;

import dev.maskseg.engine.DType;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.HashSet;
import java.util.Set;

/**
 * The device memory of a device backend (aparapi, tornado): two arenas that stay on the device, float32 and doubles for
 * every other dtype, with every tensor a range of one of them, so ops never copy tensors between host and device. A
 * range comes back when its storage object is garbage collected, and only between ops ({@link #reclaim}), never while
 * an op may still address it. A full arena grows (at least doubling) up to the backend's limit; before that, when the
 * backend says an arena is crowded, dead tensors are collected first, so memory stays bounded over a long run.
 * Subclasses make the storages and resize the device buffers.
 */
public abstract class DeviceArenas<S extends ArenaStorage> {
    protected final ArenaPool floats, doubles;
    private final String backend;
    private final ReferenceQueue<S> queue = new ReferenceQueue<>();
    private final Set<Block> live = new HashSet<>();
    /** Elements allocated since the last requested collection. */
    protected long allocatedSinceGc;

    /** A live block, found again through the reference queue once its storage is unreachable. */
    private final class Block extends PhantomReference<S> {
        final boolean floatArena;
        final int offset, length;

        Block(S s) {
            super(s, queue);
            floatArena = s.inFloatArena();
            offset = s.offset;
            length = s.length();
        }
    }

    protected DeviceArenas(String backend, int floatCapacity, int doubleCapacity) {
        this.backend = backend;
        this.floats = new ArenaPool(floatCapacity);
        this.doubles = new ArenaPool(doubleCapacity);
    }

    /** A storage object for the block of {@code length} elements at {@code offset}. */
    protected abstract S newStorage(DType dtype, int length, int offset);

    /** Whether the arena is full enough to ask for a garbage collection before it grows. */
    protected abstract boolean crowded(ArenaPool pool, boolean isFloat);

    /** The largest capacity, in elements, the arena may grow to. */
    protected abstract long limit(boolean isFloat);

    /** The system property that raises {@link #limit}, named in the out-of-memory error. */
    protected abstract String memoryProperty();

    /** Resizes the device buffer of one arena to {@code capacity} elements, keeping its contents. */
    protected abstract void resize(boolean isFloat, int capacity);

    public final S allocate(DType dtype, int length) {
        boolean isFloat = dtype == DType.FLOAT32;
        ArenaPool pool = isFloat ? floats : doubles;
        int at = pool.allocate(length);
        if (at < 0) {
            grow(isFloat, length);
            at = pool.allocate(length);
        }
        allocatedSinceGc += length;
        S s = newStorage(dtype, length, at);
        live.add(new Block(s));
        return s;
    }

    /**
     * Returns the ranges of collected storages; when an arena is crowded, first asks for a garbage collection (the JVM
     * does not see device memory pressure, and a collection is much cheaper than growing).
     */
    public final void reclaim() {
        drain(0);
        if (crowded(floats, true) || crowded(doubles, false)) {
            allocatedSinceGc = 0;
            System.gc();
            drain(50);
        }
    }

    private void drain(long waitMillis) {
        try {
            Reference<? extends S> r = waitMillis > 0 ? queue.remove(waitMillis) : queue.poll();
            while (r != null) {
                @SuppressWarnings("unchecked") Block b = (Block) r;
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
        long limit = limit(isFloat);
        if (target > limit) {
            target = limit;
            if (target < (long) pool.capacity() + ArenaPool.rounded(need)) {
                throw new IllegalStateException(backend + ": out of device memory allocating " + need + " elements ("
                        + (isFloat ? "float32" : "float64/int") + " arena " + pool.capacity() + " elements, " + pool.used()
                        + " in use); set -D" + memoryProperty() + " or use smaller batches");
            }
        }
        int capacity = (int) (target / ArenaPool.ALIGN * ArenaPool.ALIGN);
        resize(isFloat, capacity);
        pool.grow(capacity);
    }

    public final int floatCapacity() { return floats.capacity(); }

    public final int doubleCapacity() { return doubles.capacity(); }

    public final long bytesInUse() { return floats.used() * Float.BYTES + doubles.used() * Double.BYTES; }

    public final String usage() {
        return String.format("float arena %d/%d, double arena %d/%d elements in use",
                floats.used(), floats.capacity(), doubles.used(), doubles.capacity());
    }
}
