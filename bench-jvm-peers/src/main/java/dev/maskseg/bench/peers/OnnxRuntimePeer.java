package dev.maskseg.bench.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * ONNX Runtime Java on the CPU execution provider: the inference cases of {@code maskseg bench models}, from the ONNX
 * files tools/export_onnx.py writes. Intra-op threads = the thread count, inter-op 1, sequential execution, every graph
 * optimization; ONNX Runtime's default spin-wait policy is kept, as a user would run it.
 */
final class OnnxRuntimePeer {
    /** One inference case: file stem (the exported model), the record's model, shape and mode, images per call. */
    record Case(String file, String model, String shape, String mode, int images) {}

    static final List<Case> MODELS = List.of(
            new Case("vit_small_patch16_1x3x224x224", "vit_small_patch16", "1x3x224x224", "forward", 1),
            new Case("vit_small_patch16_8x3x224x224", "vit_small_patch16", "8x3x224x224", "forward", 8),
            new Case("resnet50_1x3x224x224", "resnet50", "1x3x224x224", "forward", 1),
            // inference only: the forward+backward case has no ONNX Runtime counterpart (no training in this package)
            new Case("deeplabv3_resnet50_2x3x321x321", "deeplabv3_resnet50", "2x3x321x321", "forward", 2));

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final int threads;
    private final Map<String, Object> peer;

    OnnxRuntimePeer(int threads) {
        this.threads = threads;
        String version = env.getVersion();
        String[] v = version.split("\\.");
        this.peer = PeerRecords.peer("onnxruntime-" + v[0] + "." + v[1], version, threads);
        peer.put("library", "ONNX Runtime Java " + version + ", CPU execution provider, intra-op " + threads
                + ", inter-op 1, sequential, all optimizations");
    }

    static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return o;
    }

    List<Map<String, Object>> models(Path dir, boolean quick, List<String> only) throws OrtException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Case c : MODELS) {
            if (!only.isEmpty() && !only.contains(c.file())) continue;
            Path file = dir.resolve(c.file() + ".onnx");
            if (!Files.exists(file)) {
                JvmPeersMain.note("onnxruntime: " + file + " missing (run tools/export_onnx.py); " + c.model() + " " + c.shape() + " skipped");
                continue;
            }
            try (OrtSession.SessionOptions o = options(threads); OrtSession s = env.createSession(file.toString(), o);
                 OnnxTensor x = randomTensor(env, shape(c.shape()))) {
                String input = s.getInputNames().iterator().next();
                Map<String, OnnxTensor> feed = Map.of(input, x);
                Runnable call = () -> {
                    try (OrtSession.Result r = s.run(feed)) {
                        if (r.size() == 0) throw new IllegalStateException("no output");
                    } catch (OrtException e) {
                        throw new IllegalStateException(e);
                    }
                };
                PeerTiming.Result t = PeerTiming.time(call, quick, quick ? 0 : 2_000_000_000L);
                out.add(PeerRecords.model(c.model(), c.shape(), c.mode(), peer, t, c.images()));
            }
        }
        return out;
    }

    static long[] shape(String s) {
        String[] p = s.split("x");
        long[] r = new long[p.length];
        for (int i = 0; i < p.length; i++) r[i] = Long.parseLong(p[i]);
        return r;
    }

    static OnnxTensor randomTensor(OrtEnvironment env, long[] shape) throws OrtException {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[Math.toIntExact(n)];
        Random g = new Random(1);
        for (int i = 0; i < v.length; i++) v[i] = (float) g.nextGaussian();
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
    }
}
