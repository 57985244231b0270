package dev.maskseg.pipeline.data;

import dev.maskseg.engine.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder a stage writes its per-image files and index into: a local one ({@link #local}), or any other file
 * system a caller provides (a Spark job's Hadoop path: HDFS, S3). Names are relative to the folder ({@code a.png},
 * {@code overlay/a.png}). Every write is atomic: readers see the old file or the whole new one, never a part.
 */
public interface Folder {
    /** The file's full name, for messages. */
    String path(String name);

    boolean exists(String name) throws IOException;

    InputStream open(String name) throws IOException;

    /** Writes the file atomically, replacing an existing one; creates missing parent folders. */
    void write(String name, AtomicFiles.Writer writer) throws IOException;

    /** The names directly in the folder (files and folders, temp files of unfinished writes left out), sorted; none when it does not exist. */
    List<String> list() throws IOException;

    /** Whether the location is a file (so not a folder to write into). */
    boolean isFile() throws IOException;

    /** Deletes the temp files that killed writers left in the folder and its subfolders. */
    void removeStale() throws IOException;

    /** A folder of the local file system (created on the first write). */
    static Folder local(Path dir) {
        return new Folder() {
            @Override public String path(String name) { return dir.resolve(name).toString(); }

            @Override public boolean exists(String name) { return Files.exists(dir.resolve(name)); }

            @Override public InputStream open(String name) throws IOException { return Files.newInputStream(dir.resolve(name)); }

            @Override public void write(String name, AtomicFiles.Writer writer) throws IOException { AtomicFiles.write(dir.resolve(name), writer); }

            @Override
            public List<String> list() throws IOException {
                if (!Files.isDirectory(dir)) return List.of();
                try (Stream<Path> s = Files.list(dir)) {
                    return s.filter(p -> !AtomicFiles.isTemp(p)).map(p -> p.getFileName().toString()).sorted().toList();
                }
            }

            @Override public boolean isFile() { return Files.exists(dir) && !Files.isDirectory(dir); }

            @Override public void removeStale() throws IOException { AtomicFiles.removeStale(dir, 3); }

            @Override public String toString() { return dir.toString(); }
        };
    }
}
