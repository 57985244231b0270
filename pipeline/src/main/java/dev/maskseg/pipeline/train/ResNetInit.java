package dev.maskseg.pipeline.train;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.zoo.weights.NameMapping;
import dev.maskseg.zoo.weights.WeightFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How both methods initialise and freeze a ResNet-50 backbone (docs/methods.md §2.6, §3.6): ImageNet (torchvision) or
 * MoCo weights loaded by name, and {@code conv1, bn1, layer1, layer2} frozen: no gradients, and batch norm kept in
 * eval mode after every {@code train(true)}.
 */
public final class ResNetInit {
    public static final List<String> EARLY_STAGES = List.of("conv1", "bn1", "layer1", "layer2");

    private ResNetInit() {}

    public static void loadPretrained(Module backbone, Path file) throws IOException {
        Map<String, Tensor> target = backbone.stateDict();
        NameMapping.Result mapped = NameMapping.resnet(false).apply(WeightFiles.read(file), target);
        try {
            Module.LoadReport r = backbone.loadStateDict(mapped.state(), true);
            if (!r.isClean()) throw new IOException(file + ": backbone weights do not fit: " + r);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": backbone weights do not fit: " + e.getMessage(), e);
        }
    }

    /** Stops gradients into the early stages; {@code what} names the method in the error for a backbone without them. */
    public static void freezeEarlyStages(Module backbone, String what) {
        for (String s : EARLY_STAGES) {
            Module m = backbone.children().get(s);
            if (m == null) throw new IllegalArgumentException(what + ": freezing conv1..layer2 needs the resnet50 backbone");
            m.parameters().forEach(p -> p.requiresGrad(false));
        }
    }

    /** After {@code model.train(true)}: the frozen stages' batch norms use and keep their running statistics. */
    public static void keepEarlyStagesInEval(Module backbone) {
        for (String s : EARLY_STAGES) backbone.children().get(s).train(false);
    }
}
