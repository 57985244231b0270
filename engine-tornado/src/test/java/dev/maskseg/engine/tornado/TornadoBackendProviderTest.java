package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.DeviceRank;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device decides the rank: the PoCL device below the jvm backend, a (fake) GPU above it. */
class TornadoBackendProviderTest {
    /** The jvm backend as the chooser sees it (engine-jvm is not on this module's class path). */
    private record Jvm() implements BackendProvider {
        @Override public String name() { return "jvm"; }
        @Override public int rank() { return DeviceRank.JVM; }
        @Override public boolean isAvailable() { return true; }
        @Override public Backend create(BackendOptions options) { throw new UnsupportedOperationException(); }
    }

    private static final TornadoDevices.Info FAKE_GPU = new TornadoDevices.Info(0, 1, "OPENCL", "Fake GPU", "Fake platform",
            "1.0", "GPU", 16L << 30, 4L << 30, 80);

    @Test
    void theRealDeviceRanksByItsType() {
        TornadoDevices.Info real = TornadoTesting.backend().info();
        TornadoBackendProvider p = new TornadoBackendProvider();
        assertEquals(DeviceRank.of(real.type()) + 10, p.rank());
        assertTrue(p.rankReason().contains(real.name()), p.rankReason());
        if (!real.isGpu()) {
            assertTrue(p.rank() < DeviceRank.JVM, "PoCL (a CPU OpenCL driver) ranks below the jvm backend");
            assertEquals("jvm", Backends.choose(List.of(p, new Jvm()), null).name());
        }
    }

    @Test
    void aGpuRanksAboveTheJvmBackendAndIsTheDefault() {
        TornadoDevices.Info real = TornadoTesting.backend().info();
        TornadoBackendProvider p = new TornadoBackendProvider(
                () -> new TornadoBackendProvider.Discovery(TornadoDevices.sorted(List.of(real, FAKE_GPU)), ""));
        assertTrue(p.rank() > DeviceRank.JVM, "rank " + p.rank());
        Backends.Choice c = Backends.choose(List.of(new Jvm(), p), null);
        assertEquals("tornado", c.name());
        assertTrue(c.reason().contains("GPU Fake GPU") && c.reason().contains("above the jvm backend"), c.reason());
    }

    @Test
    void withoutDevicesItIsUnavailableWithTheReason() {
        TornadoBackendProvider p = new TornadoBackendProvider(() -> new TornadoBackendProvider.Discovery(List.of(), "no SDK here"));
        assertFalse(p.isAvailable());
        assertEquals(DeviceRank.NONE, p.rank());
        assertEquals("no SDK here", p.unavailableReason());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.create(BackendOptions.DEFAULT));
        assertTrue(e.getMessage().contains("no SDK here"), e.getMessage());
    }

    @Test
    void tornadosOwnJavaFallbackIsRefused() {
        TornadoBackendProvider p = new TornadoBackendProvider(() -> new TornadoBackendProvider.Discovery(List.of(FAKE_GPU), ""));
        String before = System.getProperty(TornadoBackendProvider.TORNADO_BAILOUT);
        System.setProperty(TornadoBackendProvider.TORNADO_BAILOUT, "True");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.create(BackendOptions.DEFAULT));
            assertTrue(e.getMessage().contains("tornado.recover.bailout") && e.getMessage().contains(TornadoBackendProvider.ALLOW_FALLBACK),
                    e.getMessage());
        } finally {
            System.setProperty(TornadoBackendProvider.TORNADO_BAILOUT, before == null ? "false" : before);
        }
    }
}
