package dev.maskseg.bench;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.zoo.Models;
import dev.maskseg.zoo.deeplab.SegmentationModel;
import org.openjdk.jmh.annotations.*;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Model benchmarks of issue 3 (random weights): ViT-S/16 forward at 224 (batch 1 and 8), ResNet-50 forward at 224,
 * DeepLab-v3 forward+backward at 321x321 batch 2. {@code maskseg bench models} runs the same with libtorch as the peer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public class ModelBenchmarks {
    @Param({"jvm"})
    public String backend;

    @Param({"all"})
    public String threads;

    private Models.Loaded vit, resnet;
    private SegmentationModel deeplab;
    private Tensor vit1, vit8, image, segInput, segTarget;

    @Setup
    public void setup() {
        Backend be = BenchBackends.create(backend, threads);
        Generator g = new Generator(1);
        vit = Models.create("vit_small_patch16", 1);
        vit.module().to(be);
        resnet = Models.create("resnet50", 1);
        resnet.module().to(be);
        deeplab = (SegmentationModel) Models.create("deeplabv3_resnet50", 1).module();
        deeplab.to(be).train(true);
        vit1 = Tensor.randn(g, 1, 3, 224, 224).to(be);
        vit8 = Tensor.randn(g, 8, 3, 224, 224).to(be);
        image = Tensor.randn(g, 1, 3, 224, 224).to(be);
        segInput = Tensor.randn(g, 2, 3, 321, 321).to(be);
        long[] labels = new long[2 * 321 * 321];
        for (int i = 0; i < labels.length; i++) labels[i] = g.nextInt(21);
        segTarget = Tensor.ofLongs(labels, 2, 321, 321).to(be);
    }

    private static Map<String, Tensor> eval(Models.Loaded m, Tensor x) {
        try (var ng = GradMode.noGrad()) {
            return m.forward(x);
        }
    }

    @Benchmark
    public Object vitSmall16Batch1() { return eval(vit, vit1); }

    @Benchmark
    public Object vitSmall16Batch8() { return eval(vit, vit8); }

    @Benchmark
    public Object resnet50() { return eval(resnet, image); }

    @Benchmark
    public Tensor deeplabv3ForwardBackward() {
        deeplab.zeroGrad();
        Tensor loss = Losses.crossEntropy(deeplab.forward(segInput), segTarget, null, 255, Losses.Reduction.MEAN);
        loss.backward();
        return loss;
    }
}
