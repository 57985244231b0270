package dev.maskseg.bench.peers;

import ai.djl.ndarray.NDArray;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both peers compute what they are asked: a 1x1 convolution (2 -> 3 channels, weights 1..6, bias 0.5, -1, 2) against
 * the sum written out by hand, in ONNX Runtime (test resource conv1x1.onnx, from tools/export_onnx.py --test-fixtures)
 * and in DJL/libtorch loaded offline from the native jar; DJL's thread setting reaches libtorch; and a DJL training step
 * (trace forward, gradient collector, SGD with momentum and weight decay, a frozen layer) lands on the weights PyTorch's
 * own SGD reaches in two steps (tiny_train.pt and tiny_train.json, from tools/export_onnx.py --test-fixtures).
 */
class JvmPeersTest {
    private static final float[] X = {1, 2, 3, 4, /* channel 1 */ -1, 0.5f, 2, -3};

    /** out[o][p] = w[o][0] x[0][p] + w[o][1] x[1][p] + b[o], w = [[1,2],[3,4],[5,6]]. */
    private static float[] expected() {
        float[][] w = {{1, 2}, {3, 4}, {5, 6}};
        float[] b = {0.5f, -1, 2};
        float[] out = new float[12];
        for (int o = 0; o < 3; o++) {
            for (int p = 0; p < 4; p++) out[o * 4 + p] = w[o][0] * X[p] + w[o][1] * X[4 + p] + b[o];
        }
        return out;
    }

    @Test
    void onnxRuntimeRunsTheExportedConvolution() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] model;
        try (InputStream in = getClass().getResourceAsStream("/conv1x1.onnx")) {
            model = in.readAllBytes();
        }
        try (OrtSession.SessionOptions o = OnnxRuntimePeer.options(1); OrtSession s = env.createSession(model, o);
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(X), new long[]{1, 2, 2, 2});
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), x))) {
            float[][][][] out = (float[][][][]) r.get(0).getValue();
            float[] flat = new float[12];
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 4; p++) flat[c * 4 + p] = out[0][c][p / 2][p % 2];
            }
            assertArrayEquals(expected(), flat, 1e-6f);
        }
        assertTrue(env.getVersion().startsWith("1.22"), env.getVersion());
    }

    @Test
    void djlRunsTheConvolutionOnLibtorchOffline() {
        DjlPeer djl = new DjlPeer(1);
        assertEquals(1, djl.peer.get("intra_op_threads"));
        assertTrue(String.valueOf(djl.peer.get("library")).contains("2.7.1"), String.valueOf(djl.peer.get("library")));
        var m = djl.manager;
        NDArray x = m.create(X, new ai.djl.ndarray.types.Shape(1, 2, 2, 2));
        NDArray w = m.create(new float[]{1, 2, 3, 4, 5, 6}, new ai.djl.ndarray.types.Shape(3, 2, 1, 1));
        NDArray b = m.create(new float[]{0.5f, -1, 2});
        var s1 = new ai.djl.ndarray.types.Shape(1, 1);
        NDArray y = x.getNDArrayInternal().convolution(x, w, b, s1, new ai.djl.ndarray.types.Shape(0, 0), s1, 1).singletonOrThrow();
        assertArrayEquals(expected(), y.toFloatArray(), 1e-6f);
    }

    @Test
    void djlTrainingStepsMatchPyTorchSgd() throws Exception {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/tiny_train.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        DjlPeer djl = new DjlPeer(1);
        Path dir = Path.of(getClass().getResource("/tiny_train.pt").toURI()).getParent();
        PtSymbolBlock block = djl.load(dir, "tiny_train", true);
        NDList inputs = new NDList(djl.manager.create(floats(ref.get("x")), new Shape(1, 2, 2, 2)),
                djl.manager.create(longs(ref.get("target")), new Shape(1, 2, 2)).toType(DataType.INT64, false));
        List<String> frozen = new ArrayList<>();
        ref.get("frozen_prefixes").forEach(n -> frozen.add(n.asText()));
        DjlTrainSteps.Step step = DjlTrainSteps.step(djl, block, frozen, (float) ref.get("lr").asDouble(), inputs);
        assertEquals(2, step.trainable());
        assertEquals(2, step.frozen());
        step.call().run();
        step.call().run();
        for (Pair<String, Parameter> p : DjlPeer.named(block)) {
            float[] want = floats(ref.get("after_two_steps").get(p.getKey()));
            assertArrayEquals(want, p.getValue().getArray().toFloatArray(), 1e-5f, p.getKey());
        }
        // and the steps moved the trainable weights at all (so the comparison above is not of two initial states)
        float[] initial = floats(ref.get("initial").get("head.weight")), after = floats(ref.get("after_two_steps").get("head.weight"));
        assertTrue(Math.abs(initial[0] - after[0]) > 1e-3, "head.weight barely moved");
    }

    private static float[] floats(JsonNode a) {
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) a.get(i).asDouble();
        return r;
    }

    private static long[] longs(JsonNode a) {
        long[] r = new long[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asLong();
        return r;
    }
}
