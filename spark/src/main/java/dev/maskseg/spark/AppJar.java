package dev.maskseg.spark;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The application jar (the module's shaded jar, {@code maskseg-spark-VERSION-app.jar}) that executors and spark-submit receive. */
final class AppJar {
    /** The shaded jar Maven attaches with the classifier {@code app}: maskseg-spark-VERSION-app.jar. */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("maskseg-spark-.*-app\\.jar");

    private AppJar() {}

    /**
     * {@code -Dmaskseg.spark.appJar}, else the jar this class was loaded from when it is the application jar, else the
     * application jar beside the module's jar or its {@code target/classes} folder; an error says how to build it.
     */
    static Path locate() {
        String prop = System.getProperty("maskseg.spark.appJar");
        if (prop != null && !prop.isBlank()) return existing(Path.of(prop));
        Path here;
        try {
            here = Path.of(AppJar.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot tell where the maskseg-spark classes come from (" + e.getMessage() + "); set -Dmaskseg.spark.appJar=FILE");
        }
        if (Files.isRegularFile(here) && NAME.matcher(here.getFileName().toString()).matches()) return here;
        try (var s = Files.list(here.getParent())) {
            return s.filter(f -> NAME.matcher(f.getFileName().toString()).matches()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no application jar maskseg-spark-*-app.jar in " + here.getParent()
                            + ": build it with 'mvn -pl spark -am package' (or set -Dmaskseg.spark.appJar=FILE)"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path existing(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no application jar " + jar + ": build it with 'mvn -pl spark -am package' (or set -Dmaskseg.spark.appJar=FILE)");
        }
        return jar;
    }

    /**
     * The JVM flags our code needs in the driver and the executors (the Vector API, native access, the opens Kryo
     * needs), one string; Spark's launcher and SparkContext add the rest of what Spark itself needs.
     */
    static String jvmFlags() {
        try (var in = AppJar.class.getResourceAsStream("/maskseg-spark.jvm-options")) {
            if (in == null) throw new IllegalStateException("maskseg-spark.jvm-options missing from the class path");
            return String.join(" ", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip().split("\\R"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
