package dev.maskseg.bench;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.zoo.Models;
import dev.maskseg.zoo.deeplab.SegmentationModel;
import dev.maskseg.zoo.resnet.FrozenResNet;
import dev.maskseg.zoo.resnet.ResNet;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.util.List;
import java.util.function.Function;

/**
 * The model benchmark cases (random weights), the one list that both {@code maskseg bench models} ({@link ModelBench})
 * and the JMH suite ({@link ModelBenchmarks}) time: ViT-S/16 forward at 224 (batch 1 and 8) and ResNet-50 forward at 224,
 * each eager and frozen for inference,
 * DeepLab-v3 forward+backward at 321x321 batch 2 (train mode, cross-entropy with ignore 255).
 */
public final class ModelCases {
    /**
     * One case: id (the JMH parameter), the record's model, shape and mode, images per call, the setup, and a variant
     * of how we run it ("" or e.g. "frozen"), which the record's backend label carries so that both rows meet the same peers.
     */
    public record Case(String id, String model, String shape, String mode, int images, Function<Backend, Runnable> setup, String variant) {
        public Case(String id, String model, String shape, String mode, int images, Function<Backend, Runnable> setup) {
            this(id, model, shape, mode, images, setup, "");
        }

        /** Our record's backend: the backend's name, then "-" and the variant when there is one. */
        public String backendLabel(String backend) { return variant.isEmpty() ? backend : backend + "-" + variant; }
    }

    private ModelCases() {}

    public static List<Case> all() {
        return List.of(vit("vit-s16-batch1", 1, false), vit("vit-s16-batch1-frozen", 1, true),
                vit("vit-s16-batch8", 8, false), vit("vit-s16-batch8-frozen", 8, true),
                new Case("resnet50", "resnet50", "1x3x224x224", "forward", 1, be -> {
                    Models.Loaded resnet = Models.create("resnet50", 1);
                    resnet.module().to(be);
                    Tensor x = Tensor.randn(new Generator(1), 1, 3, 224, 224).to(be);
                    return () -> evaluate(resnet, x, "logits");
                }),
                // the same model frozen for inference (batch norms folded, weights packed once), as ONNX Runtime's session
                // and torch.jit.freeze run it; the eager row above stays for comparison
                new Case("resnet50-frozen", "resnet50", "1x3x224x224", "forward", 1, be -> {
                    ResNet resnet = (ResNet) Models.create("resnet50", 1).module();
                    FrozenResNet frozen = ((ResNet) resnet.to(be).eval()).freeze();
                    Tensor x = Tensor.randn(new Generator(1), 1, 3, 224, 224).to(be);
                    return () -> frozen.forward(x);
                }, "frozen"),
                new Case("deeplabv3-train", "deeplabv3_resnet50", "2x3x321x321", "forward+backward", 2, be -> {
                    SegmentationModel deeplab = (SegmentationModel) Models.create("deeplabv3_resnet50", 1).module();
                    deeplab.to(be).train(true);
                    Generator g = new Generator(1);
                    Tensor x = Tensor.randn(g, 2, 3, 321, 321).to(be);
                    long[] labels = new long[2 * 321 * 321];
                    for (int i = 0; i < labels.length; i++) labels[i] = g.nextInt(21);
                    Tensor target = Tensor.ofLongs(labels, 2, 321, 321).to(be);
                    return () -> {
                        deeplab.zeroGrad();
                        Losses.crossEntropy(deeplab.forward(x), target, null, 255, Losses.Reduction.MEAN).backward();
                    };
                }));
    }

    /** frozen: the model's linear weights packed once ({@link VisionTransformer#freeze}), as ONNX Runtime's session prepacks them. */
    private static Case vit(String id, int batch, boolean frozen) {
        return new Case(id, "vit_small_patch16", batch + "x3x224x224", "forward", batch, be -> {
            Models.Loaded vit = Models.create("vit_small_patch16", 1);
            vit.module().to(be);
            if (frozen) ((VisionTransformer) vit.module()).freeze();
            Tensor x = Tensor.randn(new Generator(1), batch, 3, 224, 224).to(be);
            return () -> evaluate(vit, x, "tokens");
        }, frozen ? "frozen" : "");
    }

    private static void evaluate(Models.Loaded m, Tensor x, String output) {
        try (var ng = GradMode.noGrad()) {
            m.forward(x).get(output);
        }
    }

    public static Case byId(String id) {
        return all().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown model case '" + id + "'; known: " + all().stream().map(Case::id).toList()));
    }

    /** The cases with these ids, in the order of {@link #all} (empty: all of them); an unknown id is an error naming the known ones. */
    public static List<Case> chosen(List<String> ids) {
        ids.forEach(ModelCases::byId);
        return all().stream().filter(c -> ids.isEmpty() || ids.contains(c.id())).toList();
    }

    /**
     * What the peers call these cases: the exported models' stems (model_shape), as bench/peers.py and the JVM peers
     * take them in --cases; empty (every case) when ids is.
     */
    public static List<String> peerCases(List<String> ids) {
        return ids.isEmpty() ? List.of() : chosen(ids).stream().map(c -> c.model() + "_" + c.shape()).distinct().toList();
    }
}
