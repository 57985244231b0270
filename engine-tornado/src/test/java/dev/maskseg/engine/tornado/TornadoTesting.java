package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.Backends;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend under test; a missing TornadoVM runtime fails here with the reason, never as a skip. */
final class TornadoTesting {
    private TornadoTesting() {}

    static TornadoBackend backend() {
        TornadoBackendProvider p = new TornadoBackendProvider();
        assertTrue(p.isAvailable(), "the tornado backend must be available in this module's tests: " + p.unavailableReason()
                + " (bin/test runs them with TORNADOVM_HOME set; by hand: source bin/tornado-env.sh && maskseg_tornado_env)");
        Backend b = Backends.get(TornadoBackend.NAME);
        return (TornadoBackend) b;
    }

    /** A separate instance on the same device with its own plan, the given settings and small arenas. */
    static TornadoBackend instance(boolean allowJavaFallback, boolean profile) { return instance(allowJavaFallback, profile, 16); }

    /** ... with arenas of 1/shrink of the default size. */
    static TornadoBackend instance(boolean allowJavaFallback, boolean profile, int shrink) {
        return instance(allowJavaFallback, profile, shrink, null);
    }

    /** ... and the given GEMM kernel (null: the device's default). */
    static TornadoBackend instance(boolean allowJavaFallback, boolean profile, int shrink, TornadoLinAlg.Gemm gemm) {
        TornadoDevices.Info d = backend().info();
        TornadoBackend.Settings s = TornadoBackendProvider.settings(d, profile);
        return TornadoBackend.create(d, new TornadoBackend.Settings(s.floatCapacity() / shrink, s.doubleCapacity() / shrink,
                s.maxArenaBytes(), allowJavaFallback, profile, gemm == null ? s.gemm() : gemm, s.reductionGroup()));
    }
}
