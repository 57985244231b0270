package dev.maskseg.spark;

import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.data.Folder;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The driver's view of an output folder: which files exist is answered from one listing made when it opens (plus
 * what the driver writes), so checking which of 100k images are done costs one listing, not 100k file system calls.
 */
final class ListedFolder implements Folder {
    private final SparkFolder folder;
    private final Set<String> names;

    private ListedFolder(SparkFolder folder, Set<String> names) {
        this.folder = folder;
        this.names = names;
    }

    static ListedFolder of(SparkFolder folder) throws IOException { return new ListedFolder(folder, new HashSet<>(folder.files())); }

    @Override public String path(String name) { return folder.path(name); }

    @Override
    public synchronized boolean exists(String name) throws IOException { return name.contains("/") ? folder.exists(name) : names.contains(name); }

    @Override public InputStream open(String name) throws IOException { return folder.open(name); }

    @Override
    public void write(String name, AtomicFiles.Writer writer) throws IOException {
        folder.write(name, writer);
        synchronized (this) {
            names.add(name);
        }
    }

    @Override public List<String> list() throws IOException { return folder.list(); }

    @Override public boolean isFile() throws IOException { return folder.isFile(); }

    @Override public void removeStale() throws IOException { folder.removeStale(); }

    @Override public String toString() { return folder.toString(); }
}
