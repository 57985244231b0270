package dev.maskseg.bench;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.Norm;

import java.util.List;
import java.util.function.Function;

/**
 * The kernel benchmark cases, the one list that both {@code maskseg bench kernels} ({@link KernelBench}) and the JMH
 * suite ({@link KernelBenchmarks}) time. Shapes follow docs/design.md §4: sgemm as MxNxK. Each call closes what it
 * made, as the DJL peer does and as PyTorch frees a result nobody holds, so the next call may reuse the buffers.
 */
public final class KernelCases {
    /**
     * One case: id (the JMH parameter), kernel and shape (the JSON record's), floating-point operations per call (0
     * where GFLOP/s means nothing), and the setup that makes its inputs on a backend and returns the timed call.
     */
    public record Case(String id, String kernel, String shape, double flops, Function<Backend, Runnable> setup) {}

    private KernelCases() {}

    public static List<Case> all() {
        return List.of(
                sgemm("sgemm-1024", 1024, 1024, 1024),
                sgemm("sgemm-vit-qkv", 197, 384, 1152),
                sgemm("sgemm-vit-mlp", 197, 1536, 384),
                new Case("conv2d-3x3", "conv2d", "8x64x56x56 k3 64->64", 2.0 * 8 * 64 * 56 * 56 * 64 * 9, be -> {
                    Generator g = new Generator(1);
                    Tensor x = Tensor.randn(g, 8, 64, 56, 56).to(be), w = Tensor.randn(g, 64, 64, 3, 3).to(be);
                    return () -> Conv.conv2d(x, w, null, 1, 1, 1, 1).close();
                }),
                new Case("conv2d-1x1", "conv2d", "8x256x56x56 k1 256->64", 2.0 * 8 * 256 * 56 * 56 * 64, be -> {
                    Generator g = new Generator(1);
                    Tensor x = Tensor.randn(g, 8, 256, 56, 56).to(be), w = Tensor.randn(g, 64, 256, 1, 1).to(be);
                    return () -> Conv.conv2d(x, w, null, 1, 0, 1, 1).close();
                }),
                new Case("attention", "attention", "1x6x197x64", 4.0 * 6 * 197 * 197 * 64, be -> {
                    Generator g = new Generator(1);
                    Tensor q = Tensor.randn(g, 1, 6, 197, 64).to(be), k = Tensor.randn(g, 1, 6, 197, 64).to(be);
                    Tensor v = Tensor.randn(g, 1, 6, 197, 64).to(be);
                    return () -> {
                        try (Tensor s = q.matmul(k.transpose(-1, -2)); Tensor scaled = s.mul(0.125);
                             Tensor p = Norm.softmax(scaled, -1); Tensor o = p.matmul(v)) {
                            o.shape();
                        }
                    };
                }),
                new Case("layernorm", "layernorm", "1576x384", 0, be -> {
                    Generator g = new Generator(1);
                    Tensor x = Tensor.randn(g, 8 * 197, 384).to(be);
                    Tensor w = Tensor.randn(g, 384).to(be), b = Tensor.randn(g, 384).to(be);
                    return () -> Norm.layerNorm(x, 1, w, b, 1e-6).close();
                }),
                new Case("softmax", "softmax", "9456x197", 0, be -> {
                    Tensor x = Tensor.randn(new Generator(1), 8 * 6 * 197, 197).to(be);
                    return () -> Norm.softmax(x, -1).close();
                }));
    }

    /** C[m x n] = A[m x k] @ B[k x n]. */
    private static Case sgemm(String id, int m, int n, int k) {
        return new Case(id, "sgemm", m + "x" + n + "x" + k, 2.0 * m * n * k, be -> {
            Generator g = new Generator(1);
            Tensor a = Tensor.randn(g, m, k).to(be), b = Tensor.randn(g, k, n).to(be);
            return () -> a.matmul(b).close();
        });
    }

    public static Case byId(String id) {
        return all().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown kernel case '" + id + "'; known: " + all().stream().map(Case::id).toList()));
    }
}
