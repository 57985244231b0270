package dev.maskseg.spark;

import dev.maskseg.engine.backend.Backends;
import dev.maskseg.prior.Priors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One stage's job on the driver: the Spark session, the Hadoop configuration the executors open files with
 * (broadcast), the key under which executors keep the job's state ({@link ExecutorState}), the executors' backend,
 * the class loader that finds priors (plugin jars included) and the console.
 */
final class SparkJob implements AutoCloseable {
    final SparkSession spark;
    final JavaSparkContext jsc;
    final Broadcast<SerializableWritable<Configuration>> hadoop;
    final String key = UUID.randomUUID().toString();
    final String backend;
    final ClassLoader loader;
    final StageOutput console;

    private final boolean ownSession;

    private SparkJob(SparkSession spark, boolean ownSession, String backend, ClassLoader loader, StageOutput console) {
        this.spark = spark;
        this.ownSession = ownSession;
        this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.hadoop = jsc.broadcast(new SerializableWritable<>(spark.sparkContext().hadoopConfiguration()));
        this.backend = backend;
        this.loader = loader;
        this.console = console;
    }

    /** The jars of the --plugins folder (or MASKSEG_PLUGINS), sorted; none without one. */
    static List<String> pluginJars(SparkOptions o) throws IOException {
        Path dir = Priors.pluginDir(o.plugins);
        List<String> jars = new ArrayList<>();
        if (dir == null) return jars;
        if (!Files.isDirectory(dir)) throw new IOException("plugins folder " + dir + " does not exist");
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(f -> jars.add(f.toAbsolutePath().toString()));
        }
        return jars;
    }

    /**
     * Starts the session for {@code stage} (its name in messages: "maskseg spark mine-masks"), or joins the one this JVM
     * already runs (an application that embeds the jobs, a test), which it then leaves running.
     */
    static SparkJob start(String stage, SparkOptions o) throws IOException {
        Map<String, String> settings = o.settings();
        boolean submitted = o.master == null && System.getProperty("spark.master") != null;
        if (o.master == null && !submitted) throw new IllegalArgumentException("--master is required (local[N], local-cluster[W,C,MB], spark://..., yarn, k8s://...)");
        String master = submitted ? System.getProperty("spark.master") : o.master;
        boolean local = master.startsWith("local");
        if (master.startsWith("local-cluster") && System.getenv("SPARK_HOME") == null) {
            throw new IllegalArgumentException("--master local-cluster starts executor JVMs from $SPARK_HOME/jars: set SPARK_HOME (bin/maskseg uses spark/target/spark-home) and SPARK_SCALA_VERSION=2.13");
        }
        List<String> jars = new ArrayList<>(pluginJars(o));
        if (!submitted && !master.startsWith("local[") && !master.equals("local")) jars.add(0, AppJar.locate().toString());

        SparkSession.Builder b = SparkSession.builder().appName(stage);
        if (!submitted) b.master(master);
        b.config("spark.log.level", "WARN");
        b.config("spark.ui.showConsoleProgress", "true");
        if (local) {
            b.config("spark.ui.enabled", "false");
            b.config("spark.driver.host", "127.0.0.1");
            b.config("spark.driver.bindAddress", "127.0.0.1");
        }
        if (!jars.isEmpty()) b.config("spark.jars", String.join(",", jars));
        settings.forEach(b::config);
        String backend = o.backend != null ? o.backend : Backends.requestedName();
        ClassLoader loader = Priors.pluginLoader(Priors.pluginDir(o.plugins));
        boolean running = SparkSession.getDefaultSession().isDefined();
        return new SparkJob(b.getOrCreate(), !running, backend, loader, new StageOutput(stage));
    }

    /** A folder named by the user: a local path or a Hadoop URI. */
    SparkFolder folder(String location) throws IOException { return SparkFolder.of(location, hadoop); }

    /** A file named by the user. */
    SparkFolder.File file(String location) throws IOException { return SparkFolder.file(location, hadoop); }

    /** The model file, broadcast to the executors; null for none. */
    ShippedFile ship(String location) throws IOException { return location == null || location.isEmpty() ? null : ShippedFile.of(jsc, file(location)); }

    /** Cores the job's tasks run on (for the summary line). */
    int cores() { return spark.sparkContext().defaultParallelism(); }

    @Override
    public void close() {
        ExecutorState.forget(key);
        if (ownSession) spark.stop();
    }
}
