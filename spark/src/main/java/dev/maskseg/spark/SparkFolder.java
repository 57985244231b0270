package dev.maskseg.spark;

import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.data.Folder;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SerializableWritable;
import org.apache.spark.broadcast.Broadcast;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A folder as a job names it, usable on the driver and in the executors: a path of the local file system (plain, or
 * {@code file:}) stays a {@link Folder#local local folder}, written with the pipeline's own atomic writes; any other
 * Hadoop-compatible location (HDFS, S3 through the user's Hadoop configuration) is written to a hidden temporary name,
 * then renamed. Which one is decided once, on the driver, by the file system Hadoop resolves the location to (so a
 * plain path on a cluster whose default file system is HDFS is an HDFS path, as everywhere in Spark).
 */
final class SparkFolder implements Folder, Serializable {
    private static final long serialVersionUID = 1L;
    private final String location;
    private final boolean local;
    private final Broadcast<SerializableWritable<Configuration>> conf;
    private transient FileSystem fs;

    private SparkFolder(String location, boolean local, Broadcast<SerializableWritable<Configuration>> conf) {
        this.location = location;
        this.local = local;
        this.conf = conf;
    }

    /** The folder at {@code location}; {@code conf} is the job's Hadoop configuration, broadcast. */
    static SparkFolder of(String location, Broadcast<SerializableWritable<Configuration>> conf) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
        FileSystem fs = p.getFileSystem(conf.value().value());
        if ("file".equals(fs.getUri().getScheme())) {
            return new SparkFolder(Path.of(fs.makeQualified(p).toUri()).toString(), true, conf);
        }
        return new SparkFolder(fs.makeQualified(p).toString(), false, conf);
    }

    /** The folder's own location: an absolute local path, or a qualified URI. */
    String location() { return location; }

    boolean isLocal() { return local; }

    /** The folder {@code name} inside this one. */
    SparkFolder child(String name) { return new SparkFolder(local ? Path.of(location).resolve(name).toString() : location + "/" + name, local, conf); }

    @Override
    public String path(String name) { return local ? Path.of(location).resolve(name).toString() : location + "/" + name; }

    @Override
    public boolean exists(String name) throws IOException {
        return local ? Files.exists(Path.of(location).resolve(name)) : fs().exists(hadoop(name));
    }

    @Override
    public InputStream open(String name) throws IOException {
        return local ? Files.newInputStream(Path.of(location).resolve(name)) : fs().open(hadoop(name));
    }

    /** The whole file. */
    byte[] read(String name) throws IOException {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        }
    }

    @Override
    public void write(String name, AtomicFiles.Writer writer) throws IOException {
        if (local) {
            AtomicFiles.write(Path.of(location).resolve(name), writer);
            return;
        }
        org.apache.hadoop.fs.Path target = hadoop(name), tmp = new org.apache.hadoop.fs.Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        FileSystem fs = fs();
        try {
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                writer.write(out);
            }
            // HDFS's rename refuses an existing target: a retried task replaces its earlier attempt's (identical) file
            if (!fs.rename(tmp, target) && !(fs.delete(target, false) && fs.rename(tmp, target))) throw new IOException(path(name) + ": could not rename " + tmp + " to it");
        } finally {
            fs.delete(tmp, false);
        }
    }

    /** The names of the files directly in the folder (none when it does not exist), sorted. */
    List<String> files() throws IOException {
        List<String> out = new ArrayList<>();
        if (local) {
            Path dir = Path.of(location);
            if (!Files.isDirectory(dir)) return out;
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isRegularFile).forEach(p -> out.add(p.getFileName().toString()));
            }
        } else {
            try {
                for (FileStatus st : fs().listStatus(new org.apache.hadoop.fs.Path(location))) if (st.isFile()) out.add(st.getPath().getName());
            } catch (FileNotFoundException e) {
                return out;
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * Deletes the partial files that tasks lost mid-write left (a killed executor): hidden temporary files of the
     * atomic writes, {@code .<name>...tmp}; how many.
     */
    int removePartials() throws IOException {
        int n = 0;
        for (String f : files()) {
            if (!isPartial(f)) continue;
            if (local) Files.deleteIfExists(Path.of(location).resolve(f));
            else fs().delete(hadoop(f), false);
            n++;
        }
        return n;
    }

    @Override
    public List<String> list() throws IOException {
        List<String> out = new ArrayList<>();
        if (local) {
            Path dir = Path.of(location);
            if (!Files.isDirectory(dir)) return out;
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> !AtomicFiles.isTemp(p)).forEach(p -> out.add(p.getFileName().toString()));
            }
        } else {
            try {
                for (FileStatus st : fs().listStatus(new org.apache.hadoop.fs.Path(location))) {
                    if (!isPartial(st.getPath().getName())) out.add(st.getPath().getName());
                }
            } catch (FileNotFoundException e) {
                return out;
            }
        }
        out.sort(null);
        return out;
    }

    @Override
    public boolean isFile() throws IOException {
        if (local) return Files.exists(Path.of(location)) && !Files.isDirectory(Path.of(location));
        try {
            return fs().getFileStatus(new org.apache.hadoop.fs.Path(location)).isFile();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /** The partial files of the folder and of its subfolders one level down (predict's overlay/). */
    @Override
    public void removeStale() throws IOException {
        removePartials();
        for (String name : list()) {
            SparkFolder sub = child(name);
            if (sub.isDirectory()) sub.removePartials();
        }
    }

    private static boolean isPartial(String name) { return name.startsWith(".") && name.endsWith(".tmp"); }

    /** Whether the folder itself exists. */
    boolean isDirectory() throws IOException {
        if (local) return Files.isDirectory(Path.of(location));
        try {
            return fs().getFileStatus(new org.apache.hadoop.fs.Path(location)).isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /** A file of a job (a model, a list, a JSON output): its folder and name. */
    record File(SparkFolder folder, String name) implements Serializable {
        @Override public String toString() { return folder.path(name); }
    }

    /** The file at {@code location} (a local path or a Hadoop URI). */
    static File file(String location, Broadcast<SerializableWritable<Configuration>> conf) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
        if (p.getParent() == null) throw new IOException(location + ": not a file");
        return new File(of(p.getParent().toString(), conf), p.getName());
    }

    /** The location of a file in it as Spark's readers take it (a URI). */
    String uri(String name) { return local ? Path.of(location).resolve(name).toUri().toString() : path(name); }

    private org.apache.hadoop.fs.Path hadoop(String name) { return new org.apache.hadoop.fs.Path(location + "/" + name); }

    private FileSystem fs() throws IOException {
        if (fs == null) fs = new org.apache.hadoop.fs.Path(location).getFileSystem(conf.value().value());
        return fs;
    }

    @Override
    public String toString() { return location; }
}
