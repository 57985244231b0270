package dev.maskseg.bench;

import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The model cases of {@link ModelCases} (the ones {@code maskseg bench models} times, with libtorch as the peer) under
 * JMH. Run: {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ModelBenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:G1HeapRegionSize=32m", "-Xmx8g"})
public class ModelBenchmarks {
    @Param({"jvm"})
    public String backend;

    @Param({"all"})
    public String threads;

    /** Every id of {@link ModelCases#all()}, in its order (BenchCasesTest checks they agree). */
    @Param({"vit-s16-batch1", "vit-s16-batch1-frozen", "vit-s16-batch8", "vit-s16-batch8-frozen", "resnet50", "resnet50-frozen", "deeplabv3-train"})
    public String model;

    private Runnable call;

    @Setup
    public void setup() { call = ModelCases.byId(model).setup().apply(BenchBackends.create(backend, threads)); }

    @Benchmark
    public void run() { call.run(); }
}
