package dev.maskseg.bench;

import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The kernel cases of {@link KernelCases} (the ones {@code maskseg bench kernels} times) under JMH, on the backend
 * named by {@code backend} with one thread and with all cores. Run:
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar KernelBenchmarks -p backend=jvm}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:G1HeapRegionSize=32m"})
public class KernelBenchmarks {
    @Param({"jvm"})
    public String backend;

    @Param({"1", "all"})
    public String threads;

    /** Every id of {@link KernelCases#all()}, in its order (BenchCasesTest checks they agree). */
    @Param({"sgemm-1024", "sgemm-vit-qkv", "sgemm-vit-mlp", "conv2d-3x3", "conv2d-1x1", "attention", "layernorm", "softmax"})
    public String kernel;

    private Runnable call;

    /** The inputs do not require gradients, so no graph is recorded. */
    @Setup
    public void setup() { call = KernelCases.byId(kernel).setup().apply(BenchBackends.create(backend, threads)); }

    @Benchmark
    public void run() { call.run(); }
}
