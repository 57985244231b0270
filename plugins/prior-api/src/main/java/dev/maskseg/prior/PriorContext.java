package dev.maskseg.prior;

import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/** Resources shared by the calls of one run (a loaded ViT, say), created once per key, thread-safe. */
public final class PriorContext {
    private final ConcurrentHashMap<String, Object> shared = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    public <T> T shared(String key, Callable<T> create) throws Exception {
        Object v = shared.get(key);
        if (v != null) return (T) v;
        synchronized (shared) {
            v = shared.get(key);
            if (v == null) {
                v = create.call();
                shared.put(key, v);
            }
        }
        return (T) v;
    }
}
