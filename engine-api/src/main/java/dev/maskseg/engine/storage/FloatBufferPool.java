package dev.maskseg.engine.storage;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Float arrays handed back by {@link dev.maskseg.engine.Tensor#close()}, kept by exact length for the next host
 * allocation of that length. A fresh array costs more than its size suggests: the JVM hands out memory at the end of
 * a large young generation, far from every cache, and zeroes it there; an array that was just released is still in
 * the cache (what PyTorch's CPU allocator gets from malloc reusing the block a freed tensor had). Arrays under
 * {@link #MIN_LENGTH} are not kept (the thread-local bump allocator is cheaper than the lock), and the pool holds at
 * most {@link #CAPACITY_BYTES}: past that a released array is left to the garbage collector.
 */
public final class FloatBufferPool {
    /** 64 KiB. */
    public static final int MIN_LENGTH = 1 << 14;
    /** -Dmaskseg.pool.mb sets it (0: no pool); by default 256 MiB or a sixteenth of the heap, whichever is less. */
    public static final long CAPACITY_BYTES = Long.getLong("maskseg.pool.mb", Math.min(256L, Runtime.getRuntime().maxMemory() / 16 >> 20)) << 20;

    private static final Map<Integer, ArrayDeque<float[]>> FREE = new HashMap<>();
    private static long heldBytes, reused, kept, dropped;

    private FloatBufferPool() {}

    /** Counters since the start (or the last {@link #clear}): arrays reused, kept on release, dropped when full. */
    public record Stats(long reused, long kept, long dropped, long heldBytes) {}

    /** An array of exactly n elements with unspecified contents, or null when none is free. */
    static synchronized float[] take(int n) {
        if (n < MIN_LENGTH) return null;
        ArrayDeque<float[]> q = FREE.get(n);
        float[] a = q == null ? null : q.pollLast();   // the most recently released one: the likeliest in cache
        if (a == null) return null;
        heldBytes -= 4L * n;
        reused++;
        return a;
    }

    /** Keeps a released array; its owner must hold no other reference through which it is still used. */
    static synchronized void give(float[] a) {
        if (a.length < MIN_LENGTH) return;
        if (heldBytes + 4L * a.length > CAPACITY_BYTES) {
            dropped++;
            return;
        }
        FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
        heldBytes += 4L * a.length;
        kept++;
    }

    public static synchronized Stats stats() { return new Stats(reused, kept, dropped, heldBytes); }

    /** Drops every kept array and resets the counters. */
    public static synchronized void clear() {
        FREE.clear();
        heldBytes = reused = kept = dropped = 0;
    }
}
