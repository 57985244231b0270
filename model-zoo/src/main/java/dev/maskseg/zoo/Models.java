package dev.maskseg.zoo;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.zoo.deeplab.SegmentationModel;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import dev.maskseg.zoo.maskrcnn.MaskRcnnC4;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig;
import dev.maskseg.zoo.maskrcnn.MaskRcnnOutputs;
import dev.maskseg.zoo.maskrcnn.MaskRcnnWeights;
import dev.maskseg.zoo.resnet.ResNet;
import dev.maskseg.zoo.vit.ViTConfig;
import dev.maskseg.zoo.vit.VisionTransformer;
import dev.maskseg.zoo.weights.NameMapping;
import dev.maskseg.zoo.weights.WeightFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The models by name (docs/design.md §4), built to the shapes found in a weights file and loaded strictly, with
 * the named outputs of {@code maskseg forward}.
 */
public final class Models {
    private static final Logger LOG = Logger.getLogger(Models.class.getName());
    public static final List<String> NAMES = List.of("vit_small_patch16", "vit_small_patch8", "vit_base_patch16",
            "resnet50", "deeplabv3_resnet50", "maskcontrast_resnet50", "maskrcnn_r50_c4");

    /**
     * A model in eval mode and the function from its named inputs ({@code input}, NCHW; {@code maskrcnn_r50_c4} also
     * takes {@code proposals}) to its named outputs.
     */
    public record Loaded(String name, Module module, Function<Map<String, Tensor>, Map<String, Tensor>> outputs) {
        public Map<String, Tensor> forward(Tensor input) { return outputs.apply(Map.of("input", input)); }

        public Map<String, Tensor> forward(Map<String, Tensor> inputs) { return outputs.apply(inputs); }
    }

    private Models() {}

    /**
     * A randomly initialised model (seeded): resnet50 with 1000 classes, deeplab with 21, MaskContrast with a 32-d embedding,
     * maskrcnn_r50_c4 with 80 (detectron2's initialisation, stride in the 1x1 convs).
     */
    public static Loaded create(String name, long seed) {
        int classes = switch (name) {
            case "resnet50" -> 1000;
            case "maskcontrast_resnet50" -> 32;
            case "maskrcnn_r50_c4" -> 80;
            default -> 21;
        };
        return wrap(name, build(name, classes, new Generator(seed)));
    }

    public static Loaded load(String name, Path weights) throws IOException { return load(name, weights, Map.of()); }

    /**
     * The model of a weights file. Options are model settings the weights do not carry; {@code maskrcnn_r50_c4} takes
     * {@code stride_in_1x1} (see {@link MaskRcnnWeights}); other models take none.
     */
    public static Loaded load(String name, Path weights, Map<String, String> options) throws IOException {
        if (name.equals("maskrcnn_r50_c4")) return wrap(name, MaskRcnnWeights.load(weights, options));
        if (!options.isEmpty()) throw new IllegalArgumentException("model " + name + " takes no options, got " + options.keySet());
        Map<String, Tensor> checkpoint = WeightFiles.read(weights);
        int classes = classesIn(name, checkpoint);
        Module m = build(name, classes, new Generator(0));
        NameMapping.Result mapped = mapping(name, classes).apply(checkpoint, m.stateDict());
        if (!mapped.dropped().isEmpty()) LOG.info(weights + ": ignored " + mapped.dropped().size() + " checkpoint keys not part of " + name
                + " (e.g. " + mapped.dropped().get(0) + ")");
        try {
            m.loadStateDict(mapped.state(), true);
        } catch (IllegalArgumentException e) {
            throw new IOException(weights + " does not fit " + name + ": " + e.getMessage(), e);
        }
        return wrap(name, m);
    }

    private static Module build(String name, int classes, Generator g) {
        return switch (name) {
            case "vit_small_patch16" -> new VisionTransformer(ViTConfig.SMALL_16, g);
            case "vit_small_patch8" -> new VisionTransformer(ViTConfig.SMALL_8, g);
            case "vit_base_patch16" -> new VisionTransformer(ViTConfig.BASE_16, g);
            case "resnet50" -> new ResNet(false, false, classes, g);
            case "deeplabv3_resnet50" -> SegmentationModel.deeplabv3(classes, g);
            case "maskcontrast_resnet50" -> new MaskContrastModel(classes, g);
            case "maskrcnn_r50_c4" -> new MaskRcnnC4(new MaskRcnnConfig(classes, true, false), g);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }

    /** Classes (or the MaskContrast embedding size) from the final layer's weight; 0 = a resnet without fc. */
    private static int classesIn(String name, Map<String, Tensor> checkpoint) {
        List<String> keys = switch (name) {
            case "resnet50" -> List.of("fc.weight", "module.fc.weight");
            case "deeplabv3_resnet50" -> List.of("classifier.4.weight", "module.classifier.4.weight", "head.4.weight",
                    "module.head.4.weight", "decoder.4.weight", "module.decoder.4.weight");
            case "maskcontrast_resnet50" -> List.of("module.model_q.head.weight", "model_q.head.weight", "head.weight");
            default -> List.of();
        };
        for (String k : keys) {
            if (checkpoint.containsKey(k)) return checkpoint.get(k).size(0);
        }
        // no final layer: a backbone-only resnet; the strict load reports what else is missing
        return name.equals("deeplabv3_resnet50") ? 21 : name.equals("maskcontrast_resnet50") ? 32 : 0;
    }

    private static NameMapping mapping(String name, int classes) {
        return switch (name) {
            case "resnet50" -> NameMapping.resnet(classes > 0);
            case "deeplabv3_resnet50" -> NameMapping.deeplab();
            case "maskcontrast_resnet50" -> NameMapping.maskContrast();
            default -> NameMapping.vit();
        };
    }

    private static Loaded wrap(String name, Module m) {
        m.eval();
        if (m instanceof MaskRcnnC4 rcnn) return new Loaded(name, m, in -> MaskRcnnOutputs.forward(rcnn, in));
        Function<Tensor, Map<String, Tensor>> f = switch (m) {
            case VisionTransformer vit -> x -> {
                VisionTransformer.Output o = vit.run(x);
                return ordered("tokens", o.tokens(), "cls", o.cls(), "attn_last", o.attnLast(), "q_last", o.qLast(), "k_last", o.kLast());
            };
            case ResNet r -> x -> {
                ResNet.Features o = r.features(x);
                return o.logits() == null ? ordered("layer4", o.layer4()) : ordered("logits", o.logits(), "layer4", o.layer4());
            };
            case SegmentationModel s -> x -> ordered("out", s.forward(x));
            case MaskContrastModel mc -> x -> {
                MaskContrastModel.Output o = mc.run(x);
                return ordered("embedding", o.embedding(), "saliency", o.saliency());
            };
            default -> throw new IllegalStateException(m.getClass().getName());
        };
        Function<Map<String, Tensor>, Map<String, Tensor>> byName = in -> {
            Tensor x = in.get("input");
            if (x == null) throw new IllegalArgumentException(name + ": no tensor named 'input' (got " + in.keySet() + ")");
            return f.apply(x);
        };
        return new Loaded(name, m, byName);
    }

    private static Map<String, Tensor> ordered(Object... kv) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) out.put((String) kv[i], (Tensor) kv[i + 1]);
        return out;
    }
}
