package dev.maskseg.pipeline;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.loss.HardPixelCrossEntropy;
import dev.maskseg.pipeline.loss.MaskContrastLoss;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Losses and gradients against tools/gen_loss_fixtures.py (PyTorch, float64) to 1e-5. */
class LossParityTest {
    private static Map<String, Tensor> fixtures() throws Exception {
        return SafeTensors.read(Path.of(LossParityTest.class.getResource("/losses.safetensors").toURI()));
    }

    private static void close(Tensor expected, Tensor actual, String what) {
        float[] e = expected.toFloatArray(), a = actual.contiguous().toFloatArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5 * Math.max(1, Math.abs(e[i])), what + "[" + i + "]");
    }

    @Test
    void maskContrastLossAndGradients() throws Exception {
        Map<String, Tensor> f = fixtures();
        Tensor eq = f.get("eq").requiresGrad(true), sq = f.get("sq").requiresGrad(true);
        MaskContrastLoss.Result r = MaskContrastLoss.compute(eq, sq, f.get("mq"), f.get("ek"), f.get("mk"), f.get("queue"), 0.5);
        r.total().backward();
        close(f.get("total"), r.total().reshape(1), "total");
        close(f.get("con"), r.contrastive().reshape(1), "contrastive");
        close(f.get("sal"), r.saliency().reshape(1), "saliency");
        close(f.get("protos"), r.prototypes(), "prototypes");
        close(f.get("grad_eq"), eq.grad(), "d/d embedding");
        close(f.get("grad_sq"), sq.grad(), "d/d saliency logits");
    }

    @Test
    void hardPixelMiningCrossEntropy() throws Exception {
        Map<String, Tensor> f = fixtures();
        Tensor logits = f.get("ohem_logits").requiresGrad(true);
        Tensor loss = HardPixelCrossEntropy.compute(logits, f.get("ohem_target"), 0.2);
        loss.backward();
        close(f.get("ohem_loss"), loss.reshape(1), "ohem loss");
        close(f.get("ohem_grad"), logits.grad(), "ohem grad");
    }

    @Test
    void emptyQueryMaskIsAClearError() throws Exception {
        Map<String, Tensor> f = fixtures();
        Tensor none = f.get("mq").mul(0);
        var e = assertThrows(IllegalArgumentException.class,
                () -> MaskContrastLoss.compute(f.get("eq"), f.get("sq"), none, f.get("ek"), f.get("mk"), null, 0.5));
        assertEquals(true, e.getMessage().contains("no salient query pixel"));
    }
}
