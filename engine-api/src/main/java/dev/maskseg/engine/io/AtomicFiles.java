package dev.maskseg.engine.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes go to a temp file in the same folder, then a rename, so readers never see half a file. Temp files are
 * created with the default permissions (the umask's, unlike {@link Files#createTempFile}'s owner-only 0600), so
 * outputs stay readable by others, and are named {@code .<target>.<random>.tmp}, so a run that was killed while
 * writing can {@link #removeStale remove} what it left.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = newTemp(dir, target.getFileName().toString());
        try {
            write(tmp, target, writer);
        } catch (IOException e) {
            if (e.getClass() != IOException.class) throw e;
            // the stream's own failure ("No space left on device", "Input/output error") names no file: name the target
            java.nio.file.FileSystemException named = new java.nio.file.FileSystemException(target.toString(), null, e.getMessage());
            named.initCause(e);
            throw named;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void write(Path tmp, Path target, Writer writer) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.WRITE), 1 << 20)) {
            writer.write(out);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Path newTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 10) throw e;
            }
        }
    }

    /** Whether {@code file} is named as the temp files of {@link #write} are (a hidden name ending in {@code .tmp}). */
    public static boolean isTemp(Path file) {
        String n = file.getFileName().toString();
        return n.startsWith(".") && n.endsWith(".tmp") && n.length() > 5;
    }

    /** Deletes the temp files a killed writer left in {@code dir} and its subfolders (to {@code depth} levels); returns them. */
    public static List<Path> removeStale(Path dir, int depth) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> stale;
        try (Stream<Path> s = Files.walk(dir, depth)) {
            stale = s.filter(p -> Files.isRegularFile(p) && isTemp(p)).toList();
        }
        for (Path p : stale) Files.deleteIfExists(p);
        return stale;
    }
}
