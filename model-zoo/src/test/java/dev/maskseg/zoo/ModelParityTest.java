package dev.maskseg.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.zoo.deeplab.Aspp;
import dev.maskseg.zoo.deeplab.SegmentationModel;
import dev.maskseg.zoo.vit.VisionTransformer;
import dev.maskseg.zoo.weights.FormulaWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full-size models against PyTorch/torchvision (tools/gen_model_fixtures.py): forward outputs within the
 * case's tolerance (absolute, or relative to the output's max magnitude) and gradients by cosine.
 */
class ModelParityTest {
    private static Map<String, Tensor> golden;
    private static JsonNode cases;

    @BeforeAll
    static void load() throws Exception {
        Path dir = Path.of(ModelParityTest.class.getResource("/fixtures/models.json").toURI()).getParent();
        golden = SafeTensors.read(dir.resolve("models.safetensors"));
        cases = new ObjectMapper().readTree(dir.resolve("models.json").toFile()).get("cases");
    }

    @TestFactory
    List<DynamicTest> modelsMatchPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> run(c)));
        return tests;
    }

    private static void run(JsonNode c) {
        String id = c.get("id").asText(), kind = c.get("kind").asText();
        Models.Loaded loaded = Models.create(c.get("model").asText(), 0);
        Module m = loaded.module();
        fill(m, c.get("model").asText());
        int[] shape = new ObjectMapper().convertValue(c.get("input_shape"), int[].class);
        Tensor x = FormulaWeights.input(c.get("input").asText(), shape);
        Map<String, Tensor> outs = kind.equals("cosine") ? gradients(id, m, x) : forward(loaded, x);
        List<String> failures = new ArrayList<>(compareAll(c, id, "", outs));
        if (m instanceof VisionTransformer vit && !kind.equals("cosine")) {
            vit.freeze();   // the inference-only model (weights packed once) against the same golden values
            failures.addAll(compareAll(c, id, " (frozen)", forward(loaded, x)));
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    private static List<String> compareAll(JsonNode c, String id, String label, Map<String, Tensor> outs) {
        List<String> failures = new ArrayList<>();
        for (JsonNode o : c.get("outputs")) {
            String name = o.asText();
            Tensor mine = outs.get(name);
            JsonNode nw = c.get("narrow").get(name);
            if (nw != null) mine = mine.narrow(nw.get(0).asInt(), 0, nw.get(1).asInt());
            String f = compare(id + "." + name + label, mine, golden.get(id + "." + name), c.get("kind").asText(), c.get("tolerance").asDouble());
            if (f != null) failures.add(f);
        }
        return failures;
    }

    /** Python fills the MaskContrast decoder from torchvision's classifier, so those names map back. */
    private static void fill(Module m, String model) {
        if (!model.equals("maskcontrast_resnet50")) {
            FormulaWeights.fill(m, "");
            return;
        }
        try (var ng = GradMode.noGrad()) {
            for (var e : m.stateDict().entrySet()) {
                String name = e.getKey().startsWith("decoder.") ? "classifier." + e.getKey().substring(8) : e.getKey();
                if (e.getValue().dtype().isFloating()) e.getValue().copy_(FormulaWeights.value(name, e.getValue().shape()));
            }
        }
    }

    private static Map<String, Tensor> forward(Models.Loaded loaded, Tensor x) {
        try (var ng = GradMode.noGrad()) {
            return loaded.forward(x);
        }
    }

    private static Map<String, Tensor> gradients(String id, Module m, Tensor x) {
        m.train(true);
        x.requiresGrad(true);
        Tensor loss;
        if (m instanceof SegmentationModel s) {
            // float64 as the fixture (see tools/gen_model_fixtures.py); dropout off, BN on batch statistics
            s.to(DType.FLOAT64);
            x = x.detach().to(DType.FLOAT64).requiresGrad(true);
            ((Aspp) s.head.get(0)).project.get(3).eval();
            loss = Losses.crossEntropy(s.forward(x), golden.get(id + ".target"), null, 255, Losses.Reduction.MEAN);
        } else {
            VisionTransformer vit = (VisionTransformer) m;
            VisionTransformer.Output o = vit.run(x);
            Tensor r = FormulaWeights.input("vit_grad_weight", o.tokens().shape());
            loss = o.tokens().mul(r).sum().add(o.attnLast().pow(2).sum());
        }
        loss.backward();
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        out.put("loss", loss.reshape(1));
        out.put("grad.input", x.grad());
        m.namedParameters().forEach((k, p) -> out.put("grad." + k, p.grad()));
        return out;
    }

    /** null when within tolerance, otherwise what failed. */
    private static String compare(String what, Tensor mine, Tensor ref, String kind, double tol) {
        double[] a = mine.toDoubleArray(), b = ref.toDoubleArray();
        if (!java.util.Arrays.equals(mine.shape(), ref.shape())) return what + ": shape " + mine.shapeString() + " vs " + ref.shapeString();
        if (kind.equals("cosine")) {
            double dot = 0, na = 0, nb = 0;
            for (int i = 0; i < a.length; i++) {
                dot += a[i] * b[i];
                na += a[i] * a[i];
                nb += b[i] * b[i];
            }
            double cos = a.length == 1 ? 1 - Math.abs(a[0] - b[0]) / Math.max(1e-12, Math.abs(b[0])) : dot / Math.sqrt(na * nb);
            System.out.printf("%s cosine %.7f%n", what, cos);
            return cos >= tol ? null : what + ": cosine " + cos + " < " + tol;
        }
        double maxErr = 0, maxRef = 0;
        for (int i = 0; i < a.length; i++) {
            maxErr = Math.max(maxErr, Math.abs(a[i] - b[i]));
            maxRef = Math.max(maxRef, Math.abs(b[i]));
        }
        double limit = kind.equals("rel") ? tol * maxRef : tol;
        System.out.printf("%s max abs err %.3g (limit %.3g, max |ref| %.3g)%n", what, maxErr, limit, maxRef);
        return maxErr <= limit ? null : what + ": max abs error " + maxErr + " > " + limit;
    }
}
