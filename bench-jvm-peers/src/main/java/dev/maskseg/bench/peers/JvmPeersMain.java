package dev.maskseg.bench.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The JVM peers of {@code maskseg bench}: ONNX Runtime Java and DJL/libtorch timing bench's cases, printed as one JSON
 * list of bench/peers.py's records on stdout (notes on stderr).
 * <pre>
 * JvmPeersMain --kind models|train|kernels --threads N [--quick] [--cases ID,...] [--models DIR] [--lib onnxruntime|djl]
 * </pre>
 * Without --lib it runs each library (and, for train, each step) in a child JVM of its own with this JVM's flags and
 * class path, so one library's thread pool never competes with another's and a step's resident-set peak is its own.
 * --cases: bench train's case ids (maskcontrast-step, maskdistill-step), or for models the exported files' stems
 * (resnet50_1x3x224x224, ...). A missing model file or a library that fails is a note, never an error: exit 0, fewer
 * records; 2 on bad usage.
 * Models: DIR, else $MASKSEG_PEER_MODELS, else ~/.cache/maskseg/peer-models (written by tools/export_onnx.py).
 */
public final class JvmPeersMain {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JvmPeersMain() {}

    static void note(String msg) {
        System.err.println("jvm-peers: " + msg);
    }

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        String kind = value(a, "--kind", "models");
        if (!List.of("models", "train", "kernels").contains(kind) || value(a, "--threads", null) == null) {
            System.err.println("usage: JvmPeersMain --kind models|train|kernels --threads N [--quick] [--cases ID,...] [--models DIR]"
                    + " [--lib onnxruntime|djl]");
            System.exit(2);
        }
        int threads = Integer.parseInt(value(a, "--threads", "1"));
        boolean quick = a.contains("--quick");
        List<String> cases = value(a, "--cases", null) == null ? List.of() : List.of(value(a, "--cases", "").split(","));
        Path dir = modelsDir(value(a, "--models", null));
        String lib = value(a, "--lib", null);
        List<Map<String, Object>> records = new ArrayList<>();
        if (lib == null) {
            System.out.println(JSON.writeValueAsString(children(args, kind, cases)));
            return;
        }
        if (lib.equals("onnxruntime")) {
            if (kind.equals("models")) records.addAll(new OnnxRuntimePeer(threads).models(dir, quick, cases));
            else note("onnxruntime: no " + kind + " cases (inference of exported models only)");
        } else if (lib.equals("djl")) {
            DjlPeer djl = new DjlPeer(threads);
            switch (kind) {
                case "models" -> records.addAll(djl.models(dir, quick, cases));
                case "train" -> records.addAll(DjlTrainSteps.run(djl, dir, quick, cases));
                default -> records.addAll(djl.kernels(quick));
            }
        } else {
            System.err.println("unknown --lib " + lib + " (onnxruntime, djl)");
            System.exit(2);
        }
        System.out.println(JSON.writeValueAsString(records));
    }

    /** Every library (and train case) in a child JVM; their records concatenated. */
    private static List<JsonNode> children(String[] args, String kind, List<String> cases) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        List<List<String>> runs = new ArrayList<>();
        if (kind.equals("models")) {
            runs.add(List.of("--lib", "onnxruntime"));
            runs.add(List.of("--lib", "djl"));
        } else if (kind.equals("kernels")) {
            runs.add(List.of("--lib", "djl"));
        } else {
            for (DjlTrainSteps.Case c : DjlTrainSteps.CASES) {
                if (cases.isEmpty() || cases.contains(c.id())) runs.add(List.of("--lib", "djl", "--cases", c.id()));
            }
        }
        for (List<String> run : runs) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JvmPeersMain.class.getName()));
            List<String> rest = new ArrayList<>(Arrays.asList(args));
            if (run.contains("--cases")) removeOption(rest, "--cases");
            cmd.addAll(rest);
            cmd.addAll(run);
            File out = File.createTempFile("maskseg-jvm-peers", ".json");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out).redirectError(ProcessBuilder.Redirect.INHERIT);
                pb.environment().put("OMP_NUM_THREADS", value(Arrays.asList(args), "--threads", "1"));
                Process p = pb.start();
                if (!p.waitFor(120, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    note(String.join(" ", run) + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + "); no figures from it");
                    p.destroyForcibly();
                    continue;
                }
                JSON.readTree(out).forEach(all::add);
            } finally {
                Files.deleteIfExists(out.toPath());
            }
        }
        return all;
    }

    static Path modelsDir(String given) {
        if (given != null) return Path.of(given);
        String env = System.getenv("MASKSEG_PEER_MODELS");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "maskseg", "peer-models");
    }

    static String value(List<String> a, String name, String dflt) {
        int i = a.indexOf(name);
        return i >= 0 && i + 1 < a.size() ? a.get(i + 1) : dflt;
    }

    private static void removeOption(List<String> a, String name) {
        int i = a.indexOf(name);
        if (i >= 0) {
            a.remove(i);
            if (i < a.size()) a.remove(i);
        }
    }
}
