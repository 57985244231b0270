package dev.maskseg.engine.tornado;

import com.google.auto.service.AutoService;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.BackendProvider;

/** Available when the JVM runs with TornadoVM's flags (its runtime on the module/class path). */
@AutoService(BackendProvider.class)
public final class TornadoBackendProvider implements BackendProvider {
    @Override public String name() { return TornadoBackend.NAME; }

    @Override public int rank() { return 40; }

    @Override public boolean isAvailable() {
        try {
            Class.forName("uk.ac.manchester.tornado.runtime.TornadoCoreRuntime");
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override public String unavailableReason() {
        return "TornadoVM runtime not found: run with the flags of `tornado --printJavaFlags` (TORNADOVM_HOME set)";
    }

    /** On TornadoVM's default device: choosing one (BackendOptions.device) is not supported yet. */
    @Override public Backend create(BackendOptions options) { return new TornadoBackend(); }
}
