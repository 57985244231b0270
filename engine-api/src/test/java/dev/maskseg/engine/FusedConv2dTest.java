package dev.maskseg.engine;

import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.FusedConv2d;
import dev.maskseg.engine.nn.Layers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Folding an eval-mode batch norm into the convolution before it (PyTorch's fuse_conv_bn_eval) gives the conv → bn →
 * (+ residual) → relu it replaces, with running statistics far from 0 and 1; the frozen copy ignores later changes to
 * the source layers, and the layer refuses to run where a gradient is expected.
 */
class FusedConv2dTest {
    private final Generator g = new Generator(21);

    private Layers.BatchNorm2d batchNorm(int c) {
        var bn = new Layers.BatchNorm2d(c);
        try (var ng = GradMode.noGrad()) {
            bn.weight.copy_(Tensor.randn(g, c));
            bn.bias.copy_(Tensor.randn(g, c));
            bn.runningMean.copy_(Tensor.randn(g, c).mul(3));
            bn.runningVar.copy_(Tensor.rand(g, c).mul(4).add(0.05));
        }
        bn.eval();
        return bn;
    }

    private static void assertClose(Tensor want, Tensor got, String what) {
        float[] w = want.toFloatArray(), o = got.toFloatArray();
        double scale = 1;
        for (float v : w) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < w.length; i++) assertEquals(w[i], o[i], 1e-5 * scale, what + " element " + i);
    }

    @Test
    void foldedConvBnReluMatchesTheLayersItReplaces() {
        var conv = new Layers.Conv2d(5, 7, 3, 2, 1, 1, 1, true, g);
        var bn = batchNorm(7);
        Tensor x = Tensor.randn(g, 2, 5, 9, 8), residual = Tensor.randn(g, 2, 7, 5, 4);
        Tensor want, wantResidual;
        try (var ng = GradMode.noGrad()) {
            Tensor y = bn.forward(conv.forward(x));
            want = y.relu();
            wantResidual = y.add(residual).relu();
        }
        FusedConv2d fused = FusedConv2d.fold(conv, bn, true);
        assertClose(want, fused.forward(x), "conv-bn-relu");
        assertClose(wantResidual, fused.forward(x, residual), "conv-bn + residual, relu");

        try (var ng = GradMode.noGrad()) {
            conv.weight.fill_(0);
            bn.runningMean.fill_(0);
        }
        assertClose(want, fused.forward(x), "after the source layers changed");
    }

    @Test
    void withoutBatchNormOrReluItIsTheConvolution() {
        var conv = new Layers.Conv2d(4, 6, 1, 1, 0, 1, 2, false, g);
        Tensor x = Tensor.randn(g, 1, 4, 5, 5);
        Tensor want;
        try (var ng = GradMode.noGrad()) {
            want = conv.forward(x);
        }
        assertClose(want, FusedConv2d.fold(conv, null, false).forward(x), "grouped 1x1");
    }

    @Test
    void badInputsGetOneClearError() {
        var conv = new Layers.Conv2d(3, 4, 3, 1, 1, 1, 1, false, g);
        var e = assertThrows(IllegalArgumentException.class, () -> FusedConv2d.fold(conv, batchNorm(5), true));
        assertTrue(e.getMessage().contains("batch norm over 5 channels") && e.getMessage().contains("[4, 3, 3, 3]"), e.getMessage());
        FusedConv2d fused = FusedConv2d.fold(conv, batchNorm(4), true);
        var r = assertThrows(IllegalArgumentException.class, () -> fused.forward(Tensor.randn(g, 1, 3, 6, 6), Tensor.randn(g, 1, 4, 5, 6)));
        assertTrue(r.getMessage().contains("residual [1, 4, 5, 6]") && r.getMessage().contains("[1, 4, 6, 6]"), r.getMessage());
        Tensor leaf = Tensor.randn(g, 1, 3, 6, 6).requiresGrad(true);
        var s = assertThrows(IllegalStateException.class, () -> fused.forward(leaf));
        assertTrue(s.getMessage().contains("no backward"), s.getMessage());
        Tensor residual = Tensor.randn(g, 1, 4, 6, 6).requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> fused.forward(Tensor.randn(g, 1, 3, 6, 6), residual), "a residual that wants a gradient");
        var l = assertThrows(UnsupportedOperationException.class, () -> fused.loadStateDict(conv.stateDict(), false));
        assertTrue(l.getMessage().contains("freeze it again"), l.getMessage());
    }
}
