package dev.maskseg.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs bench/peers.py (PyTorch CPU and numpy/OpenBLAS) and reads its JSON records. Optional: never required. */
final class Peers {
    private Peers() {}

    static List<KernelBench.Record> measure(Path script, boolean quick) {
        List<KernelBench.Record> r = new ArrayList<>();
        for (JsonNode n : run(script, quick, List.of())) {
            r.add(new KernelBench.Record(n.get("kernel").asText(), n.get("shape").asText(), n.get("backend").asText(),
                    n.get("threads").asInt(), n.get("ms").asDouble(), n.get("gflops").asDouble()));
        }
        return r;
    }

    static List<ModelBench.Record> measureModels(Path script, boolean quick) {
        List<ModelBench.Record> r = new ArrayList<>();
        for (JsonNode n : run(script, quick, List.of("--models"))) {
            r.add(new ModelBench.Record(n.get("model").asText(), n.get("shape").asText(), n.get("mode").asText(), n.get("backend").asText(),
                    n.get("threads").asInt(), n.get("ms").asDouble(), n.get("images_per_second").asDouble()));
        }
        return r;
    }

    /** The script's JSON records, or none (with a note on stderr) when python3 or its packages are missing. */
    private static List<JsonNode> run(Path script, boolean quick, List<String> args) {
        Path s = script != null ? script : locate();
        if (s == null || !Files.exists(s)) {
            System.err.println("peers: bench/peers.py not found; no peer figures");
            return List.of();
        }
        try {
            List<String> cmd = new ArrayList<>(List.of(python(), s.toString()));
            cmd.addAll(args);
            if (quick) cmd.add("--quick");
            File out = File.createTempFile("maskseg-peers", ".json");
            Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                System.err.println("peers: " + s + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + "); no peer figures");
                p.destroyForcibly();
                return List.of();
            }
            List<JsonNode> r = new ArrayList<>();
            new ObjectMapper().readTree(out).forEach(r::add);
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
