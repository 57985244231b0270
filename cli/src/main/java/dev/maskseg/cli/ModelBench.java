package dev.maskseg.cli;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.zoo.Models;
import dev.maskseg.zoo.deeplab.SegmentationModel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Model-level timings (issue 3): ViT-S/16 forward, ResNet-50 forward, DeepLab-v3 forward+backward. */
final class ModelBench {
    record Record(String model, String shape, String mode, String backend, int threads, double ms, double imagesPerSecond) {}

    private ModelBench() {}

    static List<Record> run(Backend be, int threads, boolean quick) {
        Generator g = new Generator(1);
        List<Record> out = new ArrayList<>();
        Models.Loaded vit = Models.create("vit_small_patch16", 1);
        vit.module().to(be);
        for (int batch : new int[]{1, 8}) {
            Tensor x = Tensor.randn(g, batch, 3, 224, 224).to(be);
            out.add(time("vit_small_patch16", batch + "x3x224x224", "forward", be, threads, batch, quick, () -> noGrad(() -> vit.forward(x).get("tokens"))));
        }
        Models.Loaded resnet = Models.create("resnet50", 1);
        resnet.module().to(be);
        Tensor r = Tensor.randn(g, 1, 3, 224, 224).to(be);
        out.add(time("resnet50", "1x3x224x224", "forward", be, threads, 1, quick, () -> noGrad(() -> resnet.forward(r).get("logits"))));
        SegmentationModel deeplab = (SegmentationModel) Models.create("deeplabv3_resnet50", 1).module();
        deeplab.to(be).train(true);
        Tensor d = Tensor.randn(g, 2, 3, 321, 321).to(be);
        long[] labels = new long[2 * 321 * 321];
        for (int i = 0; i < labels.length; i++) labels[i] = g.nextInt(21);
        Tensor target = Tensor.ofLongs(labels, 2, 321, 321).to(be);
        out.add(time("deeplabv3_resnet50", "2x3x321x321", "forward+backward", be, threads, 2, quick, () -> {
            deeplab.zeroGrad();
            Tensor loss = Losses.crossEntropy(deeplab.forward(d), target, null, 255, Losses.Reduction.MEAN);
            loss.backward();
            return loss;
        }));
        return out;
    }

    private static Tensor noGrad(Supplier<Tensor> f) {
        try (var ng = GradMode.noGrad()) {
            return f.get();
        }
    }

    /**
     * Warm-up for 3 s (full mode: 10 s) and at least 2 runs, then until consecutive single runs (full mode: pairs of runs)
     * agree within 3%, then the median of 2 (5) runs.
     */
    private static Record time(String model, String shape, String mode, Backend be, int threads, int images, boolean quick, Supplier<Tensor> f) {
        Runnable run = f::get;
        Timing.warm(run, quick ? 3_000_000_000L : 10_000_000_000L, 2);
        double med = Timing.steadyMedianMs(run, 0, quick ? 1 : 2, quick ? 4 : 8, 0, quick ? 2 : 5);
        return new Record(model, shape, mode, be.name(), threads, med, images * 1000.0 / med);
    }
}
