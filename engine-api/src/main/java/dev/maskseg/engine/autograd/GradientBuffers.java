package dev.maskseg.engine.autograd;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.storage.HostStorage;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The backward sweep's bookkeeping of which host buffers hold gradients still waiting to be used: a gradient is held
 * while some node's pending sum refers to it, and once the last such use is gone its buffer is handed back through
 * {@link Tensor#close} (so the next gradient of that size reuses a buffer still in the cache, as PyTorch's freed
 * gradients go back to its allocator). Counts are per buffer, not per tensor, since a step may pass its incoming
 * gradient on unchanged or as a view; buffers that outlive the sweep (the caller's seed, a leaf's .grad) are kept.
 */
final class GradientBuffers {
    private final Map<HostStorage, int[]> pending = new IdentityHashMap<>();
    private final Set<HostStorage> kept = Collections.newSetFromMap(new IdentityHashMap<>());

    void hold(Tensor t) {
        if (t.storage() instanceof HostStorage h) pending.computeIfAbsent(h, k -> new int[1])[0]++;
    }

    void keep(Tensor t) {
        if (t.storage() instanceof HostStorage h) kept.add(h);
    }

    /** One use of t is over; with it the last use of its buffer, the buffer is handed back unless kept. */
    void drop(Tensor t) {
        if (!(t.storage() instanceof HostStorage h)) return;
        int[] count = pending.get(h);
        if (count == null || --count[0] > 0) return;
        pending.remove(h);
        if (!kept.contains(h)) t.close();
    }
}
