package dev.maskseg.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The JVM peers (ONNX Runtime Java, DJL/libtorch) of the bench-jvm-peers module, which only the Maven profile jvm-peers
 * builds: its main class runs in a child JVM per thread count, from the module's jar and target/lib (found under
 * maskseg.home like bench/peers.py), and prints peers.py's JSON records. Optional: not built, or failing, is one note on
 * stderr, never an error; the JVM peers' jars never join this JVM's class path.
 */
final class JvmPeers {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MAIN = "dev.maskseg.bench.peers.JvmPeersMain";
    /** DJL must load libtorch from the pytorch-native-cpu jar, never download it. */
    private static final List<String> FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "-Xmx2g", "-Dai.djl.offline=true",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error");

    private JvmPeers() {}

    static List<JsonNode> run(boolean quick, String kind, List<Integer> threads, List<String> extra) {
        String classPath = classPath();
        if (classPath == null) {
            System.err.println("peers: JVM peers not built (mvn -Pjvm-peers -pl bench-jvm-peers -am install; models: tools/export_onnx.py)");
            return List.of();
        }
        List<JsonNode> r = new ArrayList<>();
        List<Integer> counts = threads.isEmpty() ? List.copyOf(new TreeSet<>(List.of(1, Runtime.getRuntime().availableProcessors()))) : threads;
        for (int t : counts) {
            Timing.waitForQuietJit(2000, 60_000);
            System.gc();
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(FLAGS);
            cmd.addAll(List.of("-cp", classPath, MAIN, "--kind", kind, "--threads", String.valueOf(t)));
            if (quick) cmd.add("--quick");
            cmd.addAll(extra);
            try {
                File out = File.createTempFile("maskseg-jvm-peers", ".json");
                System.err.println("peers: " + String.join(" ", cmd.subList(cmd.indexOf(MAIN), cmd.size())) + " (JVM peers)");
                Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                if (!p.waitFor(120, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    System.err.println("peers: JVM peers with " + t + " thread(s) failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
                    p.destroyForcibly();
                } else {
                    JSON.readTree(out).forEach(r::add);
                }
                Files.deleteIfExists(out.toPath());
            } catch (IOException | InterruptedException e) {
                System.err.println("peers: could not run the JVM peers (" + e.getMessage() + ")");
            }
        }
        return r;
    }

    /** bench-jvm-peers/target's jar and lib/*, or null when the module is not built. */
    private static String classPath() {
        String home = System.getProperty("maskseg.home");
        for (Path base : new Path[]{home == null ? null : Path.of(home), Path.of(".")}) {
            if (base == null) continue;
            Path target = base.resolve("bench-jvm-peers/target");
            if (!Files.isDirectory(target.resolve("lib"))) continue;
            try (Stream<Path> files = Files.list(target)) {
                Path jar = files.filter(f -> f.getFileName().toString().matches("bench-jvm-peers-.*\\.jar")).findFirst().orElse(null);
                if (jar != null) return jar + File.pathSeparator + target.resolve("lib") + File.separator + "*";
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }
}
