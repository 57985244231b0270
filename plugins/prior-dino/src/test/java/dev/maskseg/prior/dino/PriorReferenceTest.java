package dev.maskseg.prior.dino;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.vit.ViTConfig;
import dev.maskseg.zoo.vit.VisionTransformer;
import dev.maskseg.zoo.weights.FormulaWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The DINO priors against tools/gen_prior_fixtures.py (a literal reading of docs/methods.md §3.2, §4.2, §4.3). */
class PriorReferenceTest {
    @TempDir
    static Path tmp;
    private static Path dir, weights;
    private static Map<String, Tensor> reference;
    private static JsonNode cases;

    @BeforeAll
    static void setUp() throws Exception {
        dir = Path.of(PriorReferenceTest.class.getResource("/priors/reference.json").toURI()).getParent();
        reference = SafeTensors.read(dir.resolve("reference.safetensors"));
        cases = new ObjectMapper().readTree(dir.resolve("reference.json").toFile()).get("cases");
        VisionTransformer vit = new VisionTransformer(ViTConfig.SMALL_16, new dev.maskseg.engine.Generator(0));
        FormulaWeights.fill(vit, "");
        try (var ng = GradMode.noGrad()) {   // as prior_vit() in the script: residual branches scaled by 0.1
            vit.namedParameters().forEach((k, p) -> {
                if (k.endsWith("attn.proj.weight") || k.endsWith("mlp.fc2.weight")) p.copy_(p.mul(0.1));
            });
        }
        weights = tmp.resolve("vit.safetensors");
        SafeTensors.write(weights, vit.stateDict(), Map.of());
    }

    @Test
    void dinoAttentionSumAndEach() throws Exception {
        check(new DinoAttentionPrior(), "dino-attention", Map.of("heads", "sum"), 1.0);
        check(new DinoAttentionPrior(), "dino-attention-each", Map.of("heads", "each"), 1.0);
    }

    @Test
    void lost() throws Exception {
        check(new LostPrior(), "lost", Map.of(), 1.0);
    }

    @Test
    void maskDistill() throws Exception {
        check(new MaskDistillPrior(), "maskdistill", Map.of(), 0.98);
    }

    @Test
    void missingWeightsIsOneClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> PriorParams.resolve(new LostPrior(), Map.of()));
        assertTrue(e.getMessage().contains("weights") && e.getMessage().contains("lost"), e.getMessage());
        var p = PriorParams.resolve(new LostPrior(), Map.of("weights", "/nope.pth"));
        var e2 = assertThrows(IllegalArgumentException.class, () -> new LostPrior().run(new BufferedImage(32, 32, 1), p, new PriorContext()));
        assertTrue(e2.getMessage().contains("/nope.pth"), e2.getMessage());
    }

    private void check(MaskPrior prior, String key, Map<String, String> extra, double minIou) throws Exception {
        PriorContext ctx = new PriorContext();
        Map<String, String> given = new HashMap<>(extra);
        given.put("weights", weights.toString());
        PriorParams params = PriorParams.resolve(prior, given);
        VisionTransformer vit = VitSession.load(params, ctx);
        for (JsonNode c : cases) {
            String stem = c.get("stem").asText();
            BufferedImage img = ImageTensors.read(dir.resolve("images").resolve(stem + ".png"));
            boolean[] grid = switch (prior) {
                case DinoAttentionPrior d -> DinoAttentionPrior.patchMask(
                        DinoAttentionPrior.clsAttention(VitSession.forward(vit, img, 0).out().attnLast()), params.string("heads"), 0.6);
                case LostPrior l -> {
                    VitSession.Forward f = VitSession.forward(vit, img, 0);
                    yield LostPrior.patchMask(VitSession.patchKeys(f), f.rows(), f.cols(), 100);
                }
                default -> MaskDistillPrior.patchMask(VitSession.forward(vit, img, 640), 5, 0.4);
            };
            long[] ref = reference.get(stem + "." + key + ".patch").toLongArray();
            int diff = 0;
            for (int i = 0; i < ref.length; i++) if ((ref[i] != 0) != grid[i]) diff++;
            assertEquals(0, diff, stem + " " + key + ": patch masks differ in " + diff + " of " + ref.length + " patches");

            PriorResult.Mask mask = prior.run(img, params, ctx).masks().get(0);
            long[] refPx = reference.get(stem + "." + key + ".mask").toLongArray();
            long inter = 0, union = 0;
            for (int i = 0; i < refPx.length; i++) {
                boolean a = refPx[i] != 0, b = mask.pixels()[i] != 0;
                if (a && b) inter++;
                if (a || b) union++;
            }
            double iou = union == 0 ? 1 : (double) inter / union;
            System.out.printf("%s %s: patches identical (%d of %d on), image IoU %.5f%n", key, stem, java.util.Arrays.stream(ref).sum(), ref.length, iou);
            assertTrue(iou >= minIou, stem + " " + key + ": IoU " + iou + " < " + minIou);
        }
    }
}
