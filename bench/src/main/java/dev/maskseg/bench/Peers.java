package dev.maskseg.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs bench/peers.py (PyTorch CPU from the system and from a virtual environment, numpy/OpenBLAS) and reads its JSON
 * records. Optional: a missing interpreter, package or script is a note on stderr, never an error. Our JVM waits for
 * its JIT to go quiet first, so the peers have the machine to themselves as our cases had.
 */
final class Peers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Peers() {}

    static List<KernelBench.Record> measure(Path script, boolean quick, List<Integer> threads) {
        List<KernelBench.Record> r = new ArrayList<>();
        for (JsonNode n : withJvmPeers(script, quick, "kernels", threads, List.of())) {
            r.add(new KernelBench.Record(n.get("kernel").asText(), n.get("shape").asText(), n.get("backend").asText(),
                    n.get("threads").asInt(), n.get("ms").asDouble(), n.get("gflops").asDouble(), n.path("cpu_ms").asDouble(), peer(n)));
        }
        return r;
    }

    /** cases: the exported models' stems to time ({@link ModelCases#peerCases}; empty: all). */
    static List<ModelBench.Record> measureModels(Path script, boolean quick, List<Integer> threads, List<String> cases) {
        List<ModelBench.Record> r = new ArrayList<>();
        List<String> extra = cases.isEmpty() ? List.of() : List.of("--cases", String.join(",", cases));
        for (JsonNode n : withJvmPeers(script, quick, "models", threads, extra)) {
            r.add(new ModelBench.Record(n.get("model").asText(), n.get("shape").asText(), n.get("mode").asText(), n.get("backend").asText(),
                    n.get("threads").asInt(), n.get("ms").asDouble(), n.get("images_per_second").asDouble(), n.path("cpu_ms").asDouble(), peer(n)));
        }
        return r;
    }

    static List<TrainBench.Record> measureTrain(Path script, boolean quick, List<Integer> threads, List<String> cases) {
        List<TrainBench.Record> r = new ArrayList<>();
        List<String> extra = cases.isEmpty() ? List.of() : List.of("--cases", String.join(",", cases));
        for (JsonNode n : withJvmPeers(script, quick, "train", threads, extra)) {
            double peak = n.path("rss_peak_mb").asDouble();
            r.add(new TrainBench.Record(n.get("model").asText(), n.get("shape").asText(), n.get("mode").asText(), n.get("backend").asText(),
                    n.get("threads").asInt(), n.get("ms").asDouble(), n.get("images_per_second").asDouble(), n.path("cpu_ms").asDouble(),
                    peak, Map.of("rss_peak_mb", peak, "rss_peak_first_step_mb", n.path("rss_peak_first_step_mb").asDouble(),
                            "rss_peak_second_step_mb", n.path("rss_peak_second_step_mb").asDouble(),
                            "rss_before_mb", n.path("rss_before_mb").asDouble()), peer(n)));
        }
        return r;
    }

    static Map<String, Object> peer(JsonNode n) {
        return n.has("peer") ? JSON.convertValue(n.get("peer"), new TypeReference<Map<String, Object>>() {}) : Map.of("name", n.get("backend").asText());
    }

    /** peers.py's records, then the JVM peers' (bench-jvm-peers, when built: {@link JvmPeers}). */
    private static List<JsonNode> withJvmPeers(Path script, boolean quick, String kind, List<Integer> threads, List<String> extra) {
        List<JsonNode> r = new ArrayList<>(run(script, quick, kind, threads, extra));
        r.addAll(JvmPeers.run(quick, kind, threads, extra));
        return r;
    }

    /** The script's JSON records, or none (with a note on stderr) when python3 or its packages are missing. */
    private static List<JsonNode> run(Path script, boolean quick, String kind, List<Integer> threads, List<String> extra) {
        Path s = script != null ? script : locate();
        if (s == null || !Files.exists(s)) {
            System.err.println("peers: bench/peers.py not found; no peer figures");
            return List.of();
        }
        Timing.waitForQuietJit(2000, 60_000);
        System.gc();
        try {
            List<String> cmd = new ArrayList<>(List.of(python(), s.toString(), "--kind", kind));
            if (quick) cmd.add("--quick");
            if (!threads.isEmpty()) cmd.addAll(List.of("--threads", String.join(",", threads.stream().map(String::valueOf).toList())));
            cmd.addAll(extra);
            File out = File.createTempFile("maskseg-peers", ".json");
            System.err.println("peers: " + String.join(" ", cmd));
            Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(120, TimeUnit.MINUTES) || p.exitValue() != 0) {
                System.err.println("peers: " + s + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + "); no peer figures");
                p.destroyForcibly();
                return List.of();
            }
            List<JsonNode> r = new ArrayList<>();
            JSON.readTree(out).forEach(r::add);
            Files.deleteIfExists(out.toPath());
            return r;
        } catch (Exception e) {
            System.err.println("peers: could not run python3 " + s + " (" + e.getMessage() + "); no peer figures");
            return List.of();
        }
    }

    /** MASKSEG_PYTHON, else Debian's /usr/bin/python3 (where python3-torch installs), else python3 on PATH. */
    private static String python() {
        String env = System.getenv("MASKSEG_PYTHON");
        if (env != null && !env.isBlank()) return env;
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private static Path locate() {
        String home = System.getProperty("maskseg.home");
        for (Path base : new Path[]{home == null ? null : Path.of(home), Path.of(".")}) {
            if (base != null && Files.exists(base.resolve("bench/peers.py"))) return base.resolve("bench/peers.py");
        }
        return null;
    }
}
