package dev.maskseg.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a built bench-jvm-peers module the bench gets no JVM peer records and one note, never an error. */
class JvmPeersHookTest {
    @Test
    void unbuiltModuleIsOneNote(@TempDir Path home) {
        String before = System.getProperty("maskseg.home");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setProperty("maskseg.home", home.toString());
        System.setErr(new PrintStream(captured, true));
        try {
            // the working directory is bench/, which has no bench-jvm-peers/target either
            assertEquals(List.of(), JvmPeers.run(true, "models", List.of(1), List.of()));
        } finally {
            System.setErr(err);
            if (before == null) System.clearProperty("maskseg.home");
            else System.setProperty("maskseg.home", before);
        }
        String note = captured.toString();
        assertTrue(note.startsWith("peers: JVM peers not built (mvn -Pjvm-peers"), note);
        assertEquals(1, note.lines().count(), note);
    }
}
