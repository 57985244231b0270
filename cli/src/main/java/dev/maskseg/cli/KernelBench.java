package dev.maskseg.cli;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.Norm;

import java.util.ArrayList;
import java.util.List;

/** The kernel set of design.md §4, timed on one backend instance (median of repeated runs). */
final class KernelBench {
    record Record(String kernel, String shape, String backend, int threads, double ms, double gflops) {}

    private KernelBench() {}

    private record Case(String kernel, String shape, double flops, Runnable f) {}

    static List<Record> run(Backend be, int threads, boolean quick) {
        Generator g = new Generator(1);
        List<Case> cases = new ArrayList<>();
        for (int[] s : new int[][]{{1024, 1024, 1024}, {197, 384, 1152}, {197, 1536, 384}}) {
            Tensor a = Tensor.randn(g, s[0], s[2]).to(be), b = Tensor.randn(g, s[2], s[1]).to(be);
            cases.add(new Case("sgemm", s[0] + "x" + s[1] + "x" + s[2], 2.0 * s[0] * s[1] * s[2], () -> a.matmul(b)));
        }
        Tensor x = Tensor.randn(g, 8, 64, 56, 56).to(be), w = Tensor.randn(g, 64, 64, 3, 3).to(be);
        cases.add(new Case("conv2d", "8x64x56x56 k3 64->64", 2.0 * 8 * 64 * 56 * 56 * 64 * 9, () -> Conv.conv2d(x, w, null, 1, 1, 1, 1)));
        Tensor x1 = Tensor.randn(g, 8, 256, 56, 56).to(be), w1 = Tensor.randn(g, 64, 256, 1, 1).to(be);
        cases.add(new Case("conv2d", "8x256x56x56 k1 256->64", 2.0 * 8 * 256 * 56 * 56 * 64, () -> Conv.conv2d(x1, w1, null, 1, 0, 1, 1)));
        Tensor q = Tensor.randn(g, 1, 6, 197, 64).to(be), k = Tensor.randn(g, 1, 6, 197, 64).to(be), v = Tensor.randn(g, 1, 6, 197, 64).to(be);
        cases.add(new Case("attention", "1x6x197x64", 4.0 * 6 * 197 * 197 * 64,
                () -> Norm.softmax(q.matmul(k.transpose(-1, -2)).mul(0.125), -1).matmul(v)));
        Tensor ln = Tensor.randn(g, 8 * 197, 384).to(be), lw = Tensor.randn(g, 384).to(be), lb = Tensor.randn(g, 384).to(be);
        cases.add(new Case("layernorm", "1576x384", 0, () -> Norm.layerNorm(ln, 1, lw, lb, 1e-6)));
        Tensor sm = Tensor.randn(g, 8 * 6 * 197, 197).to(be);
        cases.add(new Case("softmax", "9456x197", 0, () -> Norm.softmax(sm, -1)));

        long budget = quick ? 400_000_000L : 2_000_000_000L;
        List<Record> out = new ArrayList<>();
        try (var ng = GradMode.noGrad()) {
            Timing.warmUntilJitSettles(cases.stream().map(Case::f).toList(), budget, budget / 4);
            for (Case c : cases) {
                double med = Timing.steadyMedianMs(c.f(), budget / 4, 3, 12, budget, 200);
                out.add(new Record(c.kernel(), c.shape(), be.name(), threads, med, c.flops() > 0 ? c.flops() / med / 1e6 : 0));
            }
        }
        return out;
    }
}
