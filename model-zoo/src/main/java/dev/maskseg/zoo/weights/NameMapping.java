package dev.maskseg.zoo.weights;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Maps checkpoint names onto a model's names (docs/methods.md §1.3, docs/design.md §3): strips wrapper prefixes,
 * renames heads, and drops the parts a model does not have (DINO's projection head, MoCo's fc, the key
 * encoder and queue of MaskContrast, torchvision's aux classifier). What was dropped is reported.
 */
public final class NameMapping {
    /** The mapped state dict and the checkpoint keys that were dropped on purpose. */
    public record Result(Map<String, Tensor> state, List<String> dropped) {}

    private final List<String> stripPrefixes;
    private final Map<String, String> renamePrefixes;
    private final Predicate<String> drop;

    private NameMapping(List<String> stripPrefixes, Map<String, String> renamePrefixes, Predicate<String> drop) {
        this.stripPrefixes = stripPrefixes;
        this.renamePrefixes = renamePrefixes;
        this.drop = drop;
    }

    /** DINO raw or full (teacher/student) checkpoints, MaskDistill's timm copy (its Linear head is dropped). */
    public static NameMapping vit() {
        return new NameMapping(List.of("module.", "backbone."), Map.of(), k -> k.startsWith("head."));
    }

    /** torchvision, MoCo v2 ({@code module.encoder_q.}) and v3 ({@code module.base_encoder.}); fc kept only if asked. */
    public static NameMapping resnet(boolean keepFc) {
        return new NameMapping(List.of("module.encoder_q.", "module.base_encoder.", "module.", "backbone."), Map.of(),
                k -> !keepFc && k.startsWith("fc."));
    }

    /** torchvision deeplabv3_resnet50, MaskDistill ({@code head.}) and MaskContrast linear-probe ({@code decoder.}) checkpoints. */
    public static NameMapping deeplab() {
        return new NameMapping(List.of("module."), Map.of("head.", "classifier.", "decoder.", "classifier."),
                k -> k.startsWith("aux_classifier."));
    }

    /** MaskContrast pre-training checkpoint: the query encoder {@code module.model_q.}; key encoder and queue dropped. */
    public static NameMapping maskContrast() {
        return new NameMapping(List.of("module.model_q.", "model_q.", "module."), Map.of(),
                k -> k.startsWith("model_k.") || k.startsWith("queue"));
    }

    public Result apply(Map<String, Tensor> checkpoint, Map<String, Tensor> model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        for (var e : checkpoint.entrySet()) {
            String k = e.getKey();
            for (String p : stripPrefixes) {
                if (k.startsWith(p)) k = k.substring(p.length());
            }
            if (!model.containsKey(k)) {
                for (var r : renamePrefixes.entrySet()) {
                    if (k.startsWith(r.getKey())) {
                        k = r.getValue() + k.substring(r.getKey().length());
                        break;
                    }
                }
            }
            if (!model.containsKey(k) && drop.test(k)) dropped.add(e.getKey());
            else out.put(k, e.getValue());
        }
        // checkpoints from before PyTorch 0.4.1 have no BatchNorm num_batches_tracked; torch fills 0 as well
        for (var e : model.entrySet()) {
            if (e.getKey().endsWith("num_batches_tracked") && !out.containsKey(e.getKey())) out.put(e.getKey(), Tensor.zeros(DType.INT64));
        }
        return new Result(out, dropped);
    }
}
