package dev.maskseg.spark;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The options every Spark stage shares (a picocli mixin): where it runs, Spark settings, and --print-submit. */
final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[N] (this JVM), local-cluster[W,C,MB] (W executor JVMs of C cores "
            + "and MB MiB), spark://HOST:7077, yarn, k8s://https://HOST:PORT. Not needed under spark-submit (its --master).")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable), e.g. spark.executor.memory=8g, "
            + "spark.sql.files.maxPartitionBytes=64m (images per task).")
    List<String> conf = new ArrayList<>();

    @Option(names = "--print-submit", description = "Print the spark-submit command line for this job (master, application jar, JVM flags) instead of running it.")
    boolean printSubmit;

    @Option(names = "--backend", paramLabel = "NAME", description = "Compute backend of the executors (default: -Dmaskseg.backend, MASKSEG_BACKEND, or the highest-ranked available).")
    String backend;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Folder of plugin jars (priors, backends), shipped to the executors; default: MASKSEG_PLUGINS.")
    Path plugins;

    /** The --conf settings in order; a setting without '=' is an error naming it. */
    Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--conf wants KEY=VALUE, got '" + kv + "'");
            out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return out;
    }
}
