package dev.maskseg.engine.backend.ref;

import com.google.auto.service.AutoService;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.BackendProvider;

/** The scalar reference backend: the control in every parity test, never the default. */
@AutoService(BackendProvider.class)
public final class ReferenceBackendProvider implements BackendProvider {
    public static final String NAME = "reference";

    @Override public String name() { return NAME; }

    @Override public int rank() { return 0; }

    @Override public boolean isAvailable() { return true; }

    @Override public int maxThreads() { return 1; }

    @Override public Backend create(BackendOptions options) { return new ReferenceBackend(NAME); }
}
