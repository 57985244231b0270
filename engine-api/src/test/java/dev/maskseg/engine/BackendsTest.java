package dev.maskseg.engine;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import org.junit.jupiter.api.Test;

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
}
