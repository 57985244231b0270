package dev.maskseg.bench;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.Backends;

import java.util.ArrayList;
import java.util.List;

/** Backend instances for the benchmarks, by name and thread count, through {@link Backends} (no backend class named). */
final class BenchBackends {
    private BenchBackends() {}

    private static int maxThreads(String name) {
        return Backends.providers().stream().filter(p -> p.name().equals(name)).findFirst()
                .map(BackendProvider::maxThreads).orElse(0);
    }

    /**
     * What {@code maskseg bench} times of one backend: with 1 thread and with every core when its thread count can be
     * chosen (the jvm backend), else its default instance (a device backend, or the one-thread reference).
     */
    static List<Backend> instances(String name) { return instances(name, List.of()); }

    /** As above, or with the given thread counts (a device backend ignores them). */
    static List<Backend> instances(String name, List<Integer> threads) {
        int max = maxThreads(name), cores = Runtime.getRuntime().availableProcessors();
        if (max <= 1) return List.of(Backends.get(name));
        if (!threads.isEmpty()) return threads.stream().map(t -> Backends.get(name, BackendOptions.threads(Math.min(t, max)))).toList();
        List<Backend> list = new ArrayList<>(List.of(Backends.get(name, BackendOptions.threads(1))));
        if (cores > 1) list.add(Backends.get(name, BackendOptions.threads(Math.min(cores, max))));
        return list;
    }

    /** For JMH: threads "1" or "all" (every core); a backend whose thread count cannot be chosen is its default instance. */
    static Backend create(String name, String threads) {
        int n = threads.equals("all") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
        int max = maxThreads(name);
        return max <= 1 ? Backends.get(name) : Backends.get(name, BackendOptions.threads(Math.min(n, max)));
    }

    /** How a run names the instance on stderr. */
    static String describe(Backend be) {
        return be.name() + (be.threads() == 0 ? " on its device" : " with " + be.threads() + " thread(s)");
    }
}
