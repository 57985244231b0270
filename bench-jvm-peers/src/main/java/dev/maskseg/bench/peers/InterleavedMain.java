package dev.maskseg.bench.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.bench.ModelCases;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our jvm backend and ONNX Runtime Java on the same inference cases in one JVM, in alternating windows
 * ({@link Interleaved}): the same-moment comparison beside {@code maskseg bench models --rounds}. One JSON list of
 * records on stdout, a line per case on stderr.
 * <pre>
 * InterleavedMain --threads N [--cases resnet50-frozen,...] [--windows 20] [--window-ms 400] [--models DIR]
 * </pre>
 * Cases: bench models' inference case ids whose model ONNX Runtime runs (tools/export_onnx.py's files); a missing
 * file is a note and no record. Exit 2 on bad usage.
 */
public final class InterleavedMain {
    /** Both sides in turn before the windows: our JIT needs a few seconds of its own, and gets half of these. */
    private static final long WARM_NANOS = 8_000_000_000L;

    private InterleavedMain() {}

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        String threadsArg = JvmPeersMain.value(a, "--threads", null);
        if (threadsArg == null) {
            System.err.println("usage: InterleavedMain --threads N [--cases ID,...] [--windows 20] [--window-ms 400] [--models DIR]");
            System.exit(2);
        }
        int threads = Integer.parseInt(threadsArg), windows = Integer.parseInt(JvmPeersMain.value(a, "--windows", "20"));
        long windowMs = Long.parseLong(JvmPeersMain.value(a, "--window-ms", "400"));
        List<String> ids = List.of(JvmPeersMain.value(a, "--cases", "resnet50-frozen").split(","));
        Path dir = JvmPeersMain.modelsDir(JvmPeersMain.value(a, "--models", null));
        List<Map<String, Object>> records = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (ModelCases.Case c : ModelCases.chosen(ids)) {
            Path file = dir.resolve(c.model() + "_" + c.shape() + ".onnx");
            if (!c.mode().equals("forward") || !Files.exists(file)) {
                JvmPeersMain.note("interleaved: " + c.id() + ": no ONNX Runtime counterpart (" + file + "); skipped");
                continue;
            }
            Runnable ours = c.setup().apply(Backends.get("jvm", BackendOptions.threads(threads)));
            try (OrtSession.SessionOptions o = OnnxRuntimePeer.options(threads); OrtSession s = env.createSession(file.toString(), o);
                 OnnxTensor x = OnnxRuntimePeer.randomTensor(env, OnnxRuntimePeer.shape(c.shape()))) {
                Map<String, OnnxTensor> feed = Map.of(s.getInputNames().iterator().next(), x);
                Runnable peer = () -> {
                    try (OrtSession.Result r = s.run(feed)) {
                        if (r.size() == 0) throw new IllegalStateException("no output");
                    } catch (OrtException e) {
                        throw new IllegalStateException(e);
                    }
                };
                Interleaved.Result r = Interleaved.run(ours, peer, windows, windowMs * 1_000_000L, WARM_NANOS);
                records.add(record(c, threads, windows, windowMs, env.getVersion(), r));
                JvmPeersMain.note(String.format("interleaved: %s, %d thread(s): ours %.2f ms, ONNX Runtime %.2f ms (medians of %d windows),"
                        + " %.3fx; ours faster in %d of %d", c.id(), threads, r.medianA(), r.medianB(), windows,
                        r.medianB() / r.medianA(), windows - r.bFaster(), windows));
            }
        }
        System.out.println(new ObjectMapper().writeValueAsString(records));
    }

    private static Map<String, Object> record(ModelCases.Case c, int threads, int windows, long windowMs, String ortVersion, Interleaved.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("case", c.id());
        m.put("model", c.model());
        m.put("shape", c.shape());
        m.put("mode", c.mode());
        m.put("threads", threads);
        m.put("windows", windows);
        m.put("window_ms", windowMs);
        m.put("ours_backend", "jvm");
        m.put("ours_ms_median", r.medianA());
        m.put("ours_ms", r.aMs());
        m.put("peer_backend", "onnxruntime-" + ortVersion);
        m.put("peer_ms_median", r.medianB());
        m.put("peer_ms", r.bMs());
        m.put("ratio", r.medianB() / r.medianA());
        m.put("ours_faster_windows", windows - r.bFaster());
        return m;
    }
}
