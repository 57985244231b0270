package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jvm backend takes its thread count from the options (default: -Dmaskseg.threads, else every core) and has no device. */
class JvmBackendOptionsTest {
    @Test
    void threadCountFromOptions() {
        Backend one = Backends.get(JvmBackend.NAME, BackendOptions.threads(1)), three = Backends.get(JvmBackend.NAME, BackendOptions.threads(3));
        assertEquals(1, one.threads());
        assertEquals(3, three.threads());
        assertTrue(three.device().contains("3 threads"), three.device());
        assertEquals(WorkerPool.configuredThreads(), Backends.get(JvmBackend.NAME).threads());
    }

    @Test
    void aDeviceIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get(JvmBackend.NAME, BackendOptions.device("gpu")));
        assertTrue(e.getMessage().contains("jvm") && e.getMessage().contains("device=gpu"), e.getMessage());
    }
}
