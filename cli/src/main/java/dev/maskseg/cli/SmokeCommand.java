package dev.maskseg.cli;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.Pool;
import dev.maskseg.engine.ops.LinAlg;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.engine.ops.Norm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** Runs a small conv net (random init) forward and backward, and a few SGD steps: an engine self-check. */
@Command(name = "smoke", description = "Forward and backward of a small conv net on random data; prints shapes, loss and timings.")
final class SmokeCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "8", converter = Ranges.AtLeastOne.class, description = "SGD steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--size", defaultValue = "64", converter = Ranges.ImageSide.class, description = "Image side (default ${DEFAULT-VALUE}).")
    int size;

    @Override
    public Integer call() {
        Generator g = new Generator(0);
        System.out.println("backend: " + Backends.defaultBackend().name() + " on " + Backends.defaultBackend().device());
        Tensor x = Tensor.randn(g, 4, 3, size, size);
        long[] labels = new long[4];
        for (int i = 0; i < 4; i++) labels[i] = i % 3;
        Tensor y = Tensor.ofLongs(labels, 4);
        Tensor w1 = Tensor.randn(g, 16, 3, 3, 3).mul(Math.sqrt(2.0 / 27)).detach().requiresGrad(true);
        Tensor w2 = Tensor.randn(g, 32, 16, 3, 3).mul(Math.sqrt(2.0 / 144)).detach().requiresGrad(true);
        Tensor fc = Tensor.randn(g, 3, 32).mul(0.1).detach().requiresGrad(true);
        double first = Double.NaN, last = Double.NaN;
        for (int s = 0; s < steps; s++) {
            long t0 = System.nanoTime();
            Tensor h = Conv.conv2d(x, w1, null, 2, 1, 1, 1).relu();
            h = Pool.maxPool2d(h, 3, 2, 1);
            h = Conv.conv2d(h, w2, null, 1, 1, 1, 1).relu();
            Tensor feat = Pool.adaptiveAvgPool2d(h, 1, 1).flatten(1, 3);
            Tensor loss = Losses.crossEntropy(LinAlg.linear(Norm.layerNorm(feat, 1, null, null, 1e-5), fc, null), y, null, -100,
                    Losses.Reduction.MEAN);
            loss.backward();
            try (var ng = GradMode.noGrad()) {
                for (Tensor p : new Tensor[]{w1, w2, fc}) {
                    p.copy_(p.sub(p.grad().mul(0.05)));
                    p.zeroGrad();
                }
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (s == 0) first = loss.item();
            last = loss.item();
            System.out.printf("step %d  loss %.4f  features %s  %.1f ms%n", s, loss.item(), feat.shapeString(), ms);
        }
        System.out.printf("loss %.4f -> %.4f (%s)%n", first, last, last < first ? "decreasing" : "NOT decreasing");
        return last < first ? 0 : 1;
    }
}
