package dev.maskseg.spark;

import dev.maskseg.engine.backend.Backends;

import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an executor JVM creates once and its tasks share: the compute backend, each job's stage (with its loaded
 * model) and the model files it received. Keys start with the job's key, so a driver that runs several jobs in its
 * own JVM (local[N]) never mixes them, and {@link #forget} drops a finished job's entries there.
 */
final class ExecutorState {
    private static final ConcurrentHashMap<String, Object> SHARED = new ConcurrentHashMap<>();
    private static volatile String backend;

    private ExecutorState() {}

    /** The value under {@code key}, created by the first task that asks. */
    @SuppressWarnings("unchecked")
    static <T> T shared(String key, Callable<T> create) throws Exception {
        Object v = SHARED.get(key);
        if (v != null) return (T) v;
        synchronized (SHARED) {
            v = SHARED.get(key);
            if (v == null) {
                v = create.call();
                SHARED.put(key, v);
            }
        }
        return (T) v;
    }

    /** Makes {@code name} (null: the JVM's default choice) this JVM's default backend, once. */
    static void useBackend(String name) {
        if (name == null || name.equals(backend)) return;
        synchronized (ExecutorState.class) {
            if (!name.equals(backend)) {
                Backends.setDefault(name);
                backend = name;
            }
        }
    }

    /** The backend this JVM computes on, e.g. {@code jvm on AMD EPYC (2 threads)}, reported with each result. */
    static String backendInUse() {
        var b = Backends.defaultBackend();
        return b.name() + " on " + b.device();
    }

    /** Drops the entries of a finished job. */
    static void forget(String jobKey) { SHARED.keySet().removeIf(k -> k.startsWith(jobKey + ":")); }
}
