package dev.maskseg.engine.backend;

import java.util.Map;
import java.util.TreeMap;

/**
 * First-fit allocator of element ranges inside one arena array, with coalescing frees: the device backends keep tensors
 * as ranges of a few large device buffers (aparapi, tornado).
 */
public final class ArenaPool {
    public static final int ALIGN = 16;

    private final TreeMap<Integer, Integer> free = new TreeMap<>();
    private int capacity;
    private long used;

    public ArenaPool(int capacity) {
        this.capacity = capacity;
        free.put(0, capacity);
    }

    public int capacity() { return capacity; }

    public long used() { return used; }

    public static int rounded(int n) { return Math.max(ALIGN, (n + ALIGN - 1) / ALIGN * ALIGN); }

    /** The start of a free range of n elements, or -1. */
    public int allocate(int n) {
        int size = rounded(n);
        for (Map.Entry<Integer, Integer> e : free.entrySet()) {
            if (e.getValue() < size) continue;
            int start = e.getKey(), len = e.getValue();
            free.remove(start);
            if (len > size) free.put(start + size, len - size);
            used += size;
            return start;
        }
        return -1;
    }

    public void release(int start, int n) {
        int size = rounded(n);
        used -= size;
        addFree(start, size);
    }

    /** Marks [start, start+len) free, merging it with free neighbours. */
    private void addFree(int start, int len) {
        int s = start, total = len;
        Map.Entry<Integer, Integer> before = free.floorEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            s = before.getKey();
            total += before.getValue();
            free.remove(before.getKey());
        }
        Integer afterLen = free.remove(start + len);
        if (afterLen != null) total += afterLen;
        free.put(s, total);
    }

    /** Extends the pool to newCapacity (the arena array was grown to match). */
    public void grow(int newCapacity) {
        addFree(capacity, newCapacity - capacity);
        capacity = newCapacity;
    }
}
