package dev.maskseg.engine;

import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.storage.HostStorage;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Central finite differences in double precision against autograd. The loss is sum(f(x) * w)
 * with a fixed random w, so every output element contributes with its own weight.
 */
final class GradCheck {
    private GradCheck() {}

    static Tensor leaf(Generator g, int... shape) {
        double[] d = new double[Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = g.nextGaussian();
        return Tensor.of(d, shape).requiresGrad(true);
    }

    /** Values in [lo, hi), for ops with a restricted domain. */
    static Tensor leaf(Generator g, double lo, double hi, int... shape) {
        double[] d = new double[Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * g.nextDouble();
        return Tensor.of(d, shape).requiresGrad(true);
    }

    static void check(String name, Function<Tensor[], Tensor> f, Tensor... leaves) {
        Tensor out = f.apply(leaves);
        Generator g = new Generator(99);
        double[] wd = new double[out.numel()];
        for (int i = 0; i < wd.length; i++) wd[i] = g.nextGaussian();
        Tensor w = Tensor.of(wd, out.shape());
        for (Tensor l : leaves) l.zeroGrad();
        out.to(DType.FLOAT64).mul(w).sum().backward();
        double eps = 1e-6;
        for (int li = 0; li < leaves.length; li++) {
            Tensor leaf = leaves[li];
            if (!leaf.requiresGrad()) continue;
            HostStorage data = leaf.backend().toHost(leaf.storage());
            double[] analytic = leaf.grad() == null ? new double[leaf.numel()] : leaf.grad().toDoubleArray();
            for (int i = 0; i < leaf.numel(); i++) {
                double orig = data.get(i);
                data.set(i, orig + eps);
                double plus = loss(f, leaves, w);
                data.set(i, orig - eps);
                double minus = loss(f, leaves, w);
                data.set(i, orig);
                double numeric = (plus - minus) / (2 * eps);
                double err = Math.abs(numeric - analytic[i]);
                assertTrue(err <= 1e-5 + 1e-4 * Math.abs(numeric),
                        name + ": input " + li + " element " + i + " analytic " + analytic[i] + " numeric " + numeric);
            }
        }
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] leaves, Tensor w) {
        try (var ng = GradMode.noGrad()) {
            return f.apply(leaves).to(DType.FLOAT64).mul(w).sum().item();
        }
    }
}
