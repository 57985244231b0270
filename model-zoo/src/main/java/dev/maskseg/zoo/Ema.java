package dev.maskseg.zoo;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.Module;

import java.util.Map;

/**
 * Momentum (EMA) copies, as MoCo's key encoder: {@code copy} initialises the target from the source and
 * {@code update} sets every parameter to m·target + (1 − m)·source; buffers (BN statistics) are copied.
 * Target parameters never require gradients.
 */
public final class Ema {
    private Ema() {}

    public static void copy(Module source, Module target) {
        Map<String, Tensor> src = source.stateDict(), dst = target.stateDict();
        checkSame(src, dst);
        try (var ng = GradMode.noGrad()) {
            for (var e : dst.entrySet()) e.getValue().copy_(src.get(e.getKey()));
        }
        for (Tensor p : target.parameters()) p.requiresGrad(false);
    }

    public static void update(Module source, Module target, double momentum) {
        Map<String, Tensor> srcParams = source.namedParameters(), src = source.stateDict(), dst = target.stateDict();
        checkSame(src, dst);
        try (var ng = GradMode.noGrad()) {
            for (var e : dst.entrySet()) {
                Tensor s = src.get(e.getKey()), t = e.getValue();
                if (srcParams.containsKey(e.getKey())) t.scaledAdd_(momentum, s, 1 - momentum);   // m·t + (1 − m)·s, in place
                else t.copy_(s);
            }
        }
    }

    private static void checkSame(Map<String, Tensor> src, Map<String, Tensor> dst) {
        if (!src.keySet().equals(dst.keySet())) {
            throw new IllegalArgumentException("EMA: source and target differ in state-dict keys");
        }
        for (var e : src.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue().shape(), dst.get(e.getKey()).shape())) {
                throw new IllegalArgumentException("EMA: " + e.getKey() + " is " + e.getValue().shapeString()
                        + " in the source and " + dst.get(e.getKey()).shapeString() + " in the target");
            }
        }
    }
}
