package dev.maskseg.bench;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.BackendOptions;

/** Backend instances for the benchmarks: the JVM backend with a chosen thread count, others as registered. */
final class BenchBackends {
    private BenchBackends() {}

    /** threads: "1" or "all" (every core); a backend computing on a device has no thread count and is returned as is. */
    static Backend create(String name, String threads) {
        int n = threads.equals("all") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
        Backend base = Backends.get(name);
        return base.threads() == 0 ? base : Backends.get(name, BackendOptions.threads(n));
    }
}
