package dev.maskseg.bench;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.Norm;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The engine's kernels on every backend named by {@code backend}, with one thread and with all cores.
 * Run: {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar Kernel}; the
 * same shapes, with PyTorch/OpenBLAS peers in the same run, are in {@code maskseg bench kernels}. Inputs
 * do not require gradients, so no graph is recorded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBenchmarks {
    @Param({"jvm", "reference"})
    public String backend;

    @Param({"1", "all"})
    public String threads;

    @Param({"1024x1024x1024", "197x1152x384", "197x384x1536"})
    public String sgemmShape;

    private Tensor a, b, convX, convW, conv1X, conv1W, lnX, lnW, lnB, smX;

    @Setup
    public void setup() {
        Backend be = BenchBackends.create(backend, threads);
        Generator g = new Generator(1);
        String[] s = sgemmShape.split("x");
        int m = Integer.parseInt(s[0]), n = Integer.parseInt(s[1]), k = Integer.parseInt(s[2]);
        a = Tensor.randn(g, m, k).to(be);
        b = Tensor.randn(g, k, n).to(be);
        convX = Tensor.randn(g, 8, 64, 56, 56).to(be);
        convW = Tensor.randn(g, 64, 64, 3, 3).to(be);
        conv1X = Tensor.randn(g, 8, 256, 56, 56).to(be);
        conv1W = Tensor.randn(g, 64, 256, 1, 1).to(be);
        lnX = Tensor.randn(g, 8 * 197, 384).to(be);
        lnW = Tensor.randn(g, 384).to(be);
        lnB = Tensor.randn(g, 384).to(be);
        smX = Tensor.randn(g, 8 * 6 * 197, 197).to(be);
    }

    @Benchmark
    public Tensor sgemm() {
        return a.matmul(b);
    }

    @Benchmark
    public Tensor conv2d3x3() {
        return Conv.conv2d(convX, convW, null, 1, 1, 1, 1);
    }

    @Benchmark
    public Tensor conv2d1x1() {
        return Conv.conv2d(conv1X, conv1W, null, 1, 0, 1, 1);
    }

    @Benchmark
    public Tensor layerNorm() {
        return Norm.layerNorm(lnX, 1, lnW, lnB, 1e-6);
    }

    @Benchmark
    public Tensor softmax() {
        return Norm.softmax(smX, -1);
    }
}
