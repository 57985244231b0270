package dev.maskseg.pipeline;

import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.batch.BatchErrors;
import dev.maskseg.pipeline.batch.BatchStopped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The output-folder guard, the per-file error record and the one-line failure descriptions, through their APIs. */
class ReliabilityFoldersTest {
    @TempDir
    Path tmp;

    private static String refused(Path dir, String command, Map<String, String> inputs, RunFolder.Mode mode, boolean continues) {
        return assertThrows(IllegalArgumentException.class, () -> RunFolder.claim(dir, command, inputs, mode, continues)).getMessage();
    }

    @Test
    void runFolderStates() throws IOException {
        Path dir = tmp.resolve("out");
        RunFolder first = RunFolder.claim(dir, "predict", Map.of("images", "a"), RunFolder.Mode.NEW, true);
        assertFalse(first.continued());
        Path stale = Files.writeString(dir.resolve(".x.png.abc.tmp"), "half");
        RunFolder again = RunFolder.claim(dir, "predict", Map.of("images", "a"), RunFolder.Mode.NEW, true);
        assertTrue(again.continued(), "an interrupted batch run continues");
        assertFalse(Files.exists(stale), "and loses the temp files a killed writer left");
        assertTrue(refused(dir, "predict", Map.of("images", "a"), RunFolder.Mode.NEW, false).contains("holds an interrupted predict run; pass --resume"));
        assertTrue(refused(dir, "predict", Map.of("images", "b"), RunFolder.Mode.RESUME, true).contains("holds a predict run of {images=a}, not of {images=b}"));
        again.finish(Map.of("images", 1));
        assertTrue(refused(dir, "predict", Map.of("images", "a"), RunFolder.Mode.NEW, true).contains("holds a finished predict run; pass --resume"));
        assertTrue(refused(dir, "features", Map.of(), RunFolder.Mode.RESUME, true).contains("holds a finished predict run, not features"));
        assertTrue(RunFolder.claim(dir, "predict", Map.of("images", "a"), RunFolder.Mode.RESUME, true).continued());
        assertFalse(RunFolder.claim(dir, "features", Map.of(), RunFolder.Mode.OVERWRITE, true).continued());

        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("b.txt"), "x");
        Files.writeString(foreign.resolve("a.txt"), "x");
        assertTrue(refused(foreign, "demo", Map.of(), RunFolder.Mode.NEW, false).contains("is not empty and holds no maskseg run (a.txt, b.txt)"));
        assertTrue(RunFolder.claim(foreign, "train maskcontrast", Map.of(), RunFolder.Mode.RESUME, false).continued(), "a folder from before run.json");
        Files.writeString(foreign.resolve(RunFolder.MARKER), "{oops");
        IOException bad = assertThrows(IOException.class, () -> RunFolder.claim(foreign, "demo", Map.of(), RunFolder.Mode.NEW, false));
        assertTrue(bad.getMessage().contains(foreign.resolve(RunFolder.MARKER) + ": not a run record"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunFolder.Mode.of(true, true));
    }

    @Test
    void batchErrorsRecordCountAndStop() throws IOException {
        List<String> lines = new ArrayList<>();
        StageListener l = new StageListener() {
            @Override public void problem(String message) { lines.add(message); }
        };
        BatchErrors errors = new BatchErrors(false, l);
        Path dir = tmp.resolve("imgs");
        List<Path> kept = errors.uniqueStems(List.of(dir.resolve("a.jpg"), dir.resolve("a.png"), dir.resolve("b.png"), dir.resolve("c.bmp"), dir.resolve("c.png")));
        assertEquals(List.of(dir.resolve("b.png")), kept);
        assertEquals(2, errors.count());
        assertEquals(dir + ": a.jpg, a.png share the stem 'a' that outputs are named by; rename all but one", errors.get("a"));
        errors.record("b", dir.resolve("b.png"), new NoSuchFileException(dir.resolve("b.png").toString(), null, "does not exist"));
        assertEquals(dir.resolve("b.png") + ": does not exist", errors.get("b"), "the file is named once");
        errors.record("d", dir.resolve("d.png"), new IllegalStateException("prior failed"));
        assertEquals(dir.resolve("d.png") + ": prior failed", errors.get("d"));
        assertEquals(4, lines.size());
        assertTrue(lines.stream().allMatch(s -> s.endsWith("; skipped")));
        BatchErrors strict = new BatchErrors(true, l);
        BatchStopped stop = assertThrows(BatchStopped.class, () -> strict.record("x", dir.resolve("x.png"), new IOException(dir.resolve("x.png") + ": truncated")));
        assertEquals(dir.resolve("x.png") + ": truncated (--strict stops at the first bad file)", stop.getMessage());
    }

    @Test
    void failuresAreOneLineWithTheRealCause() {
        assertEquals("/a/b: does not exist", Failures.describe(new NoSuchFileException("/a/b")));
        assertEquals("/a/b: permission denied", Failures.describe(new AccessDeniedException("/a/b")));
        assertEquals("/a/b: permission denied", Failures.describe(new ExecutionException(new java.io.UncheckedIOException(new AccessDeniedException("/a/b")))));
        FileSystemException full = new FileSystemException("/out/x.png", null, "No space left on device");
        assertEquals("/out/x.png: no space left on device", Failures.describe(full));
        assertEquals("no space left on device", Failures.describe(new IOException("No space left on device")));
        assertTrue(Failures.noSpace(new IOException("wrapped", full)));
        assertEquals("wrapped", Failures.describe(new IOException("wrapped", full)), "a message built around the cause is kept");
        String oom = Failures.describe(new OutOfMemoryError("Java heap space"));
        assertTrue(oom.startsWith("out of memory") && oom.contains("MASKSEG_JAVA_OPTS=-Xmx"), oom);
        assertTrue(Failures.describe(new NullPointerException("x is null")).contains("MASKSEG_DEBUG=1"));
    }

    @Test
    void atomicWritesNameTheTargetAndLeaveNoTemp() throws IOException {
        Path target = tmp.resolve("t.bin");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw new IOException("No space left on device");
        }));
        assertEquals(target + ": no space left on device", Failures.describe(e));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(), s.toList(), "no temp file and no target");
        }
    }
}
