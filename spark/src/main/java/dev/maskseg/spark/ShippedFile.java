package dev.maskseg.spark;

import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model file (weights, a probe) the driver reads from any file system and broadcasts, so each executor receives it
 * once (Spark's torrent broadcast) and writes it once into its own working folder, where the stage loads it.
 */
final class ShippedFile implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final Broadcast<byte[]> bytes;

    private ShippedFile(String name, Broadcast<byte[]> bytes) {
        this.name = name;
        this.bytes = bytes;
    }

    /** The file, read on the driver and broadcast. */
    static ShippedFile of(JavaSparkContext jsc, SparkFolder.File file) throws IOException {
        return new ShippedFile(file.name(), jsc.broadcast(file.folder().read(file.name())));
    }

    /** The file in this executor's working folder, written by the first task that asks. */
    Path local(String jobKey) throws Exception {
        return ExecutorState.shared(jobKey + ":file:" + bytes.id(), () -> {
            Path dir = Files.createDirectories(Path.of(SparkFiles.getRootDirectory(), "maskseg-" + jobKey + "-" + bytes.id()));
            Path f = dir.resolve(name);
            Files.write(f, bytes.value());
            return f;
        });
    }
}
