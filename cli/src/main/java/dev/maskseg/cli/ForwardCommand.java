package dev.maskseg.cli;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.zoo.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** docs/design.md §4: one eval-mode forward of a named model on the tensor {@code input}, named outputs to safetensors. */
@Command(name = "forward", description = {"Run a model in eval mode on the tensor 'input' (NCHW float32, already normalized) "
        + "of a safetensors file and write its named outputs.",
        "Models: vit_small_patch16, vit_small_patch8, vit_base_patch16 (tokens, cls, attn_last, q_last, k_last), "
                + "resnet50 (logits, layer4), deeplabv3_resnet50 (out), maskcontrast_resnet50 (embedding, saliency), "
                + "maskrcnn_r50_c4 (input [1,3,H,W]: res4, rpn_objectness, rpn_deltas; with 'proposals' [R,4] in the input file: "
                + "box_logits, box_deltas, mask_logits on those boxes; end to end: boxes, scores, classes, masks).",
        "Weights: safetensors or PyTorch .pth (zip), by the official names (DINO, torchvision, MoCo, MaskContrast, MaskDistill, "
                + "detectron2); maskrcnn_r50_c4 also reads detectron2 .pkl files."})
final class ForwardCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model name (see above).")
    String model;

    @Option(names = "--weights", required = true, description = "Weights file (.safetensors, .pth, or .pkl for maskrcnn_r50_c4).")
    Path weights;

    @Option(names = "--input", required = true, description = "safetensors file holding the tensor 'input' (and, for maskrcnn_r50_c4, "
            + "optionally 'proposals').")
    Path input;

    @Option(names = "--out", required = true, description = "Output safetensors file.")
    Path out;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A model setting the weights do not carry: maskrcnn_r50_c4 takes "
            + "stride_in_1x1=true|false (where the ResNet blocks put their stride; default: the weights file's safetensors metadata "
            + "key stride_in_1x1, else true as detectron2; false for models trained from torchvision/MoCo weights).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
        if (!Models.NAMES.contains(model)) {
            throw new IllegalArgumentException("unknown model '" + model + "'; known: " + String.join(", ", Models.NAMES));
        }
        Map<String, Tensor> in = SafeTensors.read(input);
        Tensor x = in.get("input");
        if (x == null) throw new IOException(input + ": no tensor named 'input' (found " + in.keySet() + ")");
        if (x.dim() != 4) throw new IOException(input + ": 'input' must be NCHW, got " + x.shapeString());
        Models.Loaded m = Models.load(model, weights, settings);
        Map<String, Tensor> inputs = new LinkedHashMap<>(in);
        inputs.put("input", x.to(DType.FLOAT32));
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (var ng = GradMode.noGrad()) {
            m.forward(inputs).forEach((k, v) -> outputs.put(k, v.contiguous()));
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        SafeTensors.write(out, outputs, Map.of("model", model, "backend", Backends.defaultBackend().name()));
        outputs.forEach((k, v) -> System.out.println(k + " " + v.shapeString()));
        System.out.printf("forward %s on %s in %.1f ms; wrote %s%n", model, Backends.defaultBackend().name(), ms, out);
        return 0;
    }
}
