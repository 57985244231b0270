package dev.maskseg.engine.jvm;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.Pool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The jvm max_pool2d against the reference, bit for bit: values and the argmax each window's gradient goes to, for
 * windows inside the plane (its vector path) and at its edges, with ties (the first maximum wins), NaNs (a NaN
 * always wins), ceil mode, dilation and planes narrower than a window.
 */
class JvmPoolTest {
    record Geometry(String name, int[] shape, PoolParams p) {
        @Override public String toString() { return name; }
    }

    static List<Geometry> geometries() {
        return List.of(
                new Geometry("resnet stem 3x3 s2 p1", new int[]{1, 8, 23, 22}, params(3, 2, 1, 1, false)),
                new Geometry("2x2 s2", new int[]{2, 3, 10, 9}, params(2, 2, 0, 1, false)),
                // rows wide enough for the vector path: whole vectors, an overlapping last one, loads at the array's end
                new Geometry("wide 3x3 s2 p1", new int[]{2, 3, 9, 75}, params(3, 2, 1, 1, false)),
                new Geometry("wide 3x3 s1 p1", new int[]{1, 2, 5, 40}, params(3, 1, 1, 1, false)),
                new Geometry("wide 3x3 s3 (gathered)", new int[]{1, 2, 7, 100}, params(3, 3, 1, 1, true)),
                new Geometry("wide dilation 2", new int[]{1, 2, 8, 90}, params(3, 2, 1, 2, false)),
                new Geometry("3x3 s1 p1", new int[]{1, 4, 7, 12}, params(3, 1, 1, 1, false)),
                new Geometry("ceil mode 3x3 s2", new int[]{1, 3, 12, 11}, params(3, 2, 1, 1, true)),
                new Geometry("dilation 2 ceil mode", new int[]{2, 2, 13, 14}, params(3, 2, 1, 2, true)),
                new Geometry("plane narrower than a window", new int[]{1, 2, 9, 2}, params(3, 2, 1, 1, false)),
                new Geometry("one column, one row", new int[]{1, 2, 1, 1}, params(1, 1, 0, 1, false)));
    }

    private static PoolParams params(int k, int s, int pad, int d, boolean ceil) {
        return new PoolParams(k, k, s, s, pad, pad, d, d, ceil, true);
    }

    /** Rounded to halves so that windows hold ties, with a NaN in about one value in forty. */
    private static Tensor input(int[] shape) {
        float[] v = Tensor.randn(new Generator(3), shape).toFloatArray();
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(40) == 0 ? Float.NaN : Math.round(v[i] * 2) / 2f;
        return Tensor.of(v, shape);
    }

    private static float[][] run(Backend be, Tensor x, PoolParams p) {
        Tensor leaf = x.to(be).clone().requiresGrad(true);
        Tensor y = Pool.maxPool2d(leaf, p);
        // a distinct gradient per window, so the input gradient shows which position each window picked
        float[] g = new float[y.numel()];
        for (int i = 0; i < g.length; i++) g[i] = i + 1;
        y.mul(Tensor.of(g, y.shape()).to(be)).sum().backward();
        return new float[][]{y.toFloatArray(), leaf.grad().toFloatArray()};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void equalsTheReferenceBitForBit(Geometry geo) {
        Tensor x = input(geo.shape());
        float[][] want = run(Backends.get(ReferenceBackendProvider.NAME), x, geo.p());
        for (int threads : new int[]{1, 3}) {
            float[][] got = run(Backends.get(JvmBackend.NAME, BackendOptions.threads(threads)), x, geo.p());
            assertArrayEquals(want[0], got[0], geo.name() + ", " + threads + " thread(s): values");
            assertArrayEquals(want[1], got[1], geo.name() + ", " + threads + " thread(s): gradient routing (argmax)");
        }
    }
}
