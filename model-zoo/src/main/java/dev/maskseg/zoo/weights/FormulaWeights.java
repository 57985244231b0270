package dev.maskseg.zoo.weights;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.Module;

import java.util.Map;

/**
 * Deterministic weights and inputs where every value is a function of its name (FNV-1a → splitmix64 → top 24
 * bits, scaled by the tensor's role), mirrored by tools/gen_model_fixtures.py: full-size models can be checked
 * against PyTorch on committed outputs without storing weights.
 */
public final class FormulaWeights {
    private FormulaWeights() {}

    static long fnv1a(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        return h;
    }

    static double[] uniform(String name, int n) {
        long seed = fnv1a(name);
        double[] u = new double[n];
        for (int i = 0; i < n; i++) {
            long z = seed + (i + 1L) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            u[i] = (double) (z >>> 40) / (1 << 24) * 2.0 - 1.0;
        }
        return u;
    }

    public static Tensor input(String name, int... shape) {
        double[] u = uniform(name, Math.toIntExact(java.util.Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b)));
        float[] f = new float[u.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) u[i];
        return Tensor.of(f, shape);
    }

    public static Tensor value(String name, int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] u = uniform(name, n);
        int fanIn = n / Math.max(1, shape.length > 0 ? shape[0] : 1);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            double v;
            if (name.endsWith("running_var")) v = 1.0 + 0.25 * u[i];
            else if (name.endsWith("running_mean")) v = 0.1 * u[i];
            else if (name.endsWith("cls_token") || name.endsWith("pos_embed")) v = 0.1 * u[i];
            else if (shape.length == 1 && name.endsWith("weight")) v = 1.0 + 0.1 * u[i];
            else if (shape.length == 1) v = 0.05 * u[i];
            else v = u[i] * Math.sqrt(3.0 / fanIn);
            f[i] = (float) v;
        }
        return Tensor.of(f, shape);
    }

    /** Sets every floating tensor of the model's state dict (names as given, after {@code prefix}). */
    public static void fill(Module m, String prefix) {
        try (var ng = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
                if (e.getValue().dtype().isFloating()) e.getValue().copy_(value(prefix + e.getKey(), e.getValue().shape()));
            }
        }
    }
}
