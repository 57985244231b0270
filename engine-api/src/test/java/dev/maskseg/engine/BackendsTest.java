package dev.maskseg.engine;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.DeviceRank;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backend instances by name and options: one per distinct options, and options a backend cannot honour refused. */
class BackendsTest {
    private static final String REF = ReferenceBackendProvider.NAME;

    @Test
    void oneInstancePerNameAndOptions() {
        Backend plain = Backends.get(REF);
        assertSame(plain, Backends.get(REF, BackendOptions.DEFAULT));
        assertSame(plain, Backends.get(REF, new BackendOptions(0, " ")), "a blank device is the default device");
        Backend one = Backends.get(REF, BackendOptions.threads(1));
        assertNotSame(plain, one);
        assertSame(one, Backends.get(REF, BackendOptions.threads(1)));
        assertEquals(1, one.threads());
    }

    @Test
    void optionsABackendCannotHonourAreErrors() {
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class, () -> Backends.get(REF, BackendOptions.threads(4)));
        assertTrue(threads.getMessage().contains(REF) && threads.getMessage().contains("threads=4"), threads.getMessage());
        IllegalArgumentException device = assertThrows(IllegalArgumentException.class, () -> Backends.get(REF, BackendOptions.device("gpu0")));
        assertTrue(device.getMessage().contains(REF) && device.getMessage().contains("device=gpu0"), device.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BackendOptions.threads(-1));
    }

    /** A provider that only has a name, a rank and availability. */
    private record Fake(String name, int rank, boolean isAvailable, String rankReason) implements BackendProvider {
        @Override public Backend create(BackendOptions options) { throw new UnsupportedOperationException(); }
    }

    @Test
    void theDeviceDecidesTheDefault() {
        Fake jvm = new Fake("jvm", DeviceRank.JVM, true, "");
        Fake gpu = new Fake("gpu-backend", DeviceRank.of("GPU"), true, DeviceRank.reason("GPU", "Some GPU"));
        Fake pocl = new Fake("cpu-backend", DeviceRank.of("CPU"), true, DeviceRank.reason("CPU", "pthread-cpu"));
        Backends.Choice onGpu = Backends.choose(List.of(jvm, pocl, gpu), null);
        assertEquals("gpu-backend", onGpu.name());
        assertTrue(onGpu.reason().contains("GPU Some GPU") && onGpu.reason().contains("above the jvm backend"), onGpu.reason());
        assertEquals("jvm", Backends.choose(List.of(pocl, jvm), null).name(), "an OpenCL CPU device ranks below jvm");
        Fake deadGpu = new Fake("gpu-backend", DeviceRank.of("GPU"), false, "");
        Backends.Choice fallback = Backends.choose(List.of(deadGpu, jvm), null);
        assertEquals("jvm", fallback.name());
        assertTrue(fallback.reason().contains("gpu-backend (rank 200) is unavailable"), fallback.reason());
        Backends.Choice forced = Backends.choose(List.of(jvm, gpu), "cpu-backend");
        assertEquals("cpu-backend", forced.name());
        assertTrue(forced.reason().startsWith("forced"), forced.reason());
        assertTrue(DeviceRank.of("ACCELERATOR") > DeviceRank.JVM && DeviceRank.of("ACC") > DeviceRank.JVM);
    }
}
