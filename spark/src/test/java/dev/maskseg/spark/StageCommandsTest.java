package dev.maskseg.spark;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stages' command lines, without running Spark: the single-machine options, --print-submit, usage errors. */
class StageCommandsTest {
    @TempDir
    Path tmp;

    @AfterEach
    void clear() { System.clearProperty("maskseg.spark.appJar"); }

    @Test
    void everyStageTakesItsSingleMachineCommandsOptions() {
        CommandLine cli = new CommandLine(new dev.maskseg.cli.Main()), spark = new CommandLine(new SparkMain());
        Map<List<String>, List<String>> pairs = Map.of(List.of("mine-masks"), List.of("mine-masks"), List.of("features"), List.of("features"),
                List.of("predict"), List.of("predict"), List.of("eval", "miou"), List.of("eval", "miou"));
        pairs.forEach((single, stage) -> {
            Set<String> want = names(sub(cli, single)), have = names(sub(spark, stage));
            assertTrue(have.containsAll(want), stage + " lacks " + new TreeSet<>(want) + " minus " + have);
            assertTrue(have.containsAll(List.of("--master", "--conf", "--print-submit")), stage.toString());
        });
    }

    @Test
    void printSubmitGivesTheSparkSubmitLineThroughTheCli() throws Exception {
        Path jar = Files.createFile(tmp.resolve("maskseg-spark-0.1.0-app.jar"));
        System.setProperty("maskseg.spark.appJar", jar.toString());
        Fixtures.Run r = Fixtures.single("spark", "mine-masks", "--master", "yarn", "--prior", "slic", "--images", "hdfs:///voc/JPEG Images",
                "--conf", "spark.executor.cores=4", "--out", "hdfs:///masks", "--param", "segments=50", "--print-submit");
        assertEquals(0, r.code());
        String line = r.out();
        assertTrue(line.startsWith("spark-submit \\\n  --master yarn \\\n  --class dev.maskseg.spark.SparkMain \\\n"), line);
        for (String flag : List.of("spark.driver.extraJavaOptions=", "spark.executor.extraJavaOptions=")) {
            assertTrue(line.contains("--conf '" + flag + "--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED "
                    + "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED'"), line);
        }
        assertTrue(line.contains("  --conf spark.executor.cores=4 \\\n  " + jar + " \\\n  mine-masks \\\n  --prior slic \\\n  --images 'hdfs:///voc/JPEG Images' \\\n"
                + "  --out hdfs:///masks \\\n  --param segments=50\n"), line);
        assertFalse(line.contains("--print-submit"));
        assertEquals(1, line.split("--master", -1).length - 1, "--master is spark-submit's, not the application's");
    }

    @Test
    void usageErrorsComeBeforeSparkStarts() throws Exception {
        assertEquals(2, SparkMain.run("mine-masks", "--master", "local[1]", "--prior", "nope", "--images", "x", "--out", "y"));
        assertEquals(2, SparkMain.run("mine-masks", "--master", "local[1]", "--prior", "mbplus", "--images", "x", "--out", "y", "--threads", "2"));
        assertEquals(2, SparkMain.run("mine-masks", "--prior", "mbplus", "--images", "x", "--out", "y"), "no --master outside spark-submit");
        assertEquals(2, SparkMain.run("eval", "miou", "--master", "local[1]", "--pred", "p", "--gt", "g", "--num-classes", "2", "--json", "j", "--matching", "best"));
        assertEquals(2, SparkMain.run("nope"));
        assertEquals(2, SparkMain.run("eval", "miou", "--master", "local[1]", "--pred", "p", "--gt", "g", "--num-classes", "0", "--json", "j"));
        assertEquals(2, SparkMain.run("eval", "miou", "--master", "local[1]", "--pred", "p", "--gt", "g", "--num-classes", "2", "--json", "j", "--ignore", "300"));
        assertEquals(2, SparkMain.run("features", "--master", "local[1]", "--weights", "w", "--images", "x", "--out", "y", "--resize", "-1"));
        assertEquals(2, SparkMain.run("predict", "--master", "local[1]", "--model", "m", "--images", "x", "--out", "y", "--size", "100000"));
        for (String stage : List.of("mine-masks", "features", "predict")) {
            String[] args = switch (stage) {
                case "mine-masks" -> new String[]{"--prior", "mbplus"};
                case "features" -> new String[]{"--weights", "w"};
                default -> new String[]{"--model", "m"};
            };
            java.io.PrintStream err = System.err;
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            System.setErr(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                assertEquals(2, SparkMain.run(cat(new String[]{stage, "--master", "local[1]", "--images", "x", "--out", "y", "--resume", "--overwrite"}, args)), stage);
            } finally {
                System.setErr(err);
            }
            assertTrue(buf.toString(java.nio.charset.StandardCharsets.UTF_8).contains("--resume and --overwrite exclude each other"), stage + ": " + buf);
        }
    }

    private static String[] cat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void applicationArgumentsLeaveSparkSubmitsOwn() {
        assertEquals(List.of("--prior", "mbplus", "--backend=jvm"), SubmitLine.applicationArgs(List.of("mine-masks"),
                List.of("mine-masks", "--master", "local[2]", "--prior", "mbplus", "--conf=a=b", "--conf", "c=d", "--plugins", "dir", "--print-submit", "--backend=jvm")));
        assertEquals("'a b'", SubmitLine.quote("a b"));
        assertEquals("'it'\\''s'", SubmitLine.quote("it's"));
        assertEquals("local[2]", SubmitLine.quote("local[2]"));
    }

    private static CommandLine sub(CommandLine root, List<String> path) {
        CommandLine c = root;
        for (String p : path) c = c.getSubcommands().get(p);
        return c;
    }

    private static Set<String> names(CommandLine c) {
        Set<String> out = new TreeSet<>();
        c.getCommandSpec().options().forEach(o -> out.addAll(List.of(o.names())));
        return out;
    }
}
