package dev.maskseg.bench;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.jvm.JvmBackend;

/** Backend instances for the benchmarks: the JVM backend with a chosen thread count, others as registered. */
final class BenchBackends {
    private BenchBackends() {}

    /** threads: "1" or "all" (every core); only the JVM backend has a thread count of its own. */
    static Backend create(String name, String threads) {
        int n = threads.equals("all") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
        return name.equals(JvmBackend.NAME) ? new JvmBackend(n) : Backends.get(name);
    }
}
