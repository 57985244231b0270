package dev.maskseg.engine.jvm;

import com.google.auto.service.AutoService;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.BackendProvider;

/** The default CPU backend (needs the jdk.incubator.vector module at run time). */
@AutoService(BackendProvider.class)
public final class JvmBackendProvider implements BackendProvider {
    @Override public String name() { return JvmBackend.NAME; }

    @Override public int rank() { return 100; }

    @Override public boolean isAvailable() { return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(); }

    @Override public String unavailableReason() {
        return "the JVM was started without --add-modules jdk.incubator.vector";
    }

    @Override public int maxThreads() { return Integer.MAX_VALUE; }

    /** options.threads() threads, or by default -Dmaskseg.threads / MASKSEG_THREADS, else every core. */
    @Override public Backend create(BackendOptions options) {
        return new JvmBackend(options.threads() > 0 ? options.threads() : WorkerPool.configuredThreads());
    }
}
