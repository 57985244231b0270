package dev.maskseg.engine.jvm;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.Conv;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jvm inference convolution (packed weights kept across calls, residual add and ReLU fused) against the reference
 * backend's composition, and bit for bit against the jvm's own unfused conv2d → add → relu, on every convolution path:
 * plain and strided GEMM, shifted planes, per-tap GEMMs, Winograd, im2col, groups, more than one K block, weights
 * whose row count is not a multiple of the micro-kernel's; the transposed small-plane path (pixel rows) to 1e-6. A second call reuses the packed forms and gives the same bits.
 */
class ConvInferenceTest {
    record Case(String name, int[] x, int[] w, ConvParams p, boolean bias, boolean residual, boolean relu) {
        @Override public String toString() { return name; }
    }

    private static ConvParams params(int stride, int pad, int dilation, int groups) {
        return new ConvParams(stride, stride, pad, pad, dilation, dilation, groups);
    }

    static List<Case> cases() {
        return List.of(
                new Case("1x1 64->64 at 7x7, residual, relu (pixel rows)", new int[]{1, 64, 7, 7}, new int[]{64, 64, 1, 1}, params(1, 0, 1, 1), true, true, true),
                // small planes of frozen 1x1 layers go the transposed way (PixelRowsConv): 14x14 and a strided 7x7
                new Case("1x1 at 14x14, 96 outputs, bias (pixel rows)", new int[]{2, 40, 14, 14}, new int[]{96, 40, 1, 1}, params(1, 0, 1, 1), true, true, true),
                new Case("1x1 stride 2 to 7x7 (pixel rows)", new int[]{1, 24, 14, 13}, new int[]{64, 24, 1, 1}, params(2, 0, 1, 1), false, false, true),
                // and so do undilated k x k layers on small planes, packed straight from the zero-padded input
                new Case("3x3 at 7x7, 40->64, residual (pixel rows)", new int[]{1, 40, 7, 7}, new int[]{64, 40, 3, 3}, params(1, 1, 1, 1), true, true, true),
                new Case("3x3 stride 2 to 7x7, batch 2 (pixel rows)", new int[]{2, 24, 14, 14}, new int[]{32, 24, 3, 3}, params(2, 1, 1, 1), true, false, true),
                new Case("3x3 dilation 2 at 7x7 (taps, never pixel rows)", new int[]{1, 16, 7, 7}, new int[]{40, 16, 3, 3}, params(1, 2, 2, 1), false, true, false),
                new Case("1x1 stride 2, 20 outputs, batch 2", new int[]{2, 24, 9, 11}, new int[]{20, 24, 1, 1}, params(2, 0, 1, 1), true, false, false),
                // one GEMM applying bias, residual and ReLU tile by tile, its columns split over the threads
                new Case("1x1 at 24x24, 96->40, column stripes", new int[]{1, 96, 24, 24}, new int[]{40, 96, 1, 1}, params(1, 0, 1, 1), true, true, true),
                new Case("1x1 over two K blocks", new int[]{1, 1100, 5, 5}, new int[]{24, 1100, 1, 1}, params(1, 0, 1, 1), false, true, true),
                new Case("3x3 at 14x14, 64->24 (fewer outputs than a sliver: shifted planes)", new int[]{1, 64, 14, 14}, new int[]{24, 64, 3, 3}, params(1, 1, 1, 1), true, false, true),
                new Case("3x3 winograd 16->16 at 9x30", new int[]{2, 16, 9, 30}, new int[]{16, 16, 3, 3}, params(1, 1, 1, 1), true, true, true),
                new Case("3x3 dilation 4 (taps)", new int[]{2, 5, 13, 11}, new int[]{6, 5, 3, 3}, params(1, 4, 4, 1), false, false, true),
                new Case("3x3 dilation 2 at 21x21 (taps)", new int[]{1, 32, 21, 21}, new int[]{32, 32, 3, 3}, params(1, 2, 2, 1), true, true, true),
                new Case("7x7 stride 2 stem", new int[]{1, 3, 23, 25}, new int[]{16, 3, 7, 7}, params(2, 3, 1, 1), true, false, true),
                new Case("3x3 stride 2", new int[]{1, 24, 15, 15}, new int[]{32, 24, 3, 3}, params(2, 1, 1, 1), false, true, false),
                new Case("groups 2, bias", new int[]{2, 6, 9, 9}, new int[]{4, 3, 3, 3}, params(1, 1, 1, 2), true, true, true));
    }

    private static Tensor[] inputs(Case c) {
        Generator g = new Generator(11);
        int[] out = {c.x()[0], c.w()[0], c.p().outSize(c.x()[2], c.w()[2], true), c.p().outSize(c.x()[3], c.w()[3], false)};
        return new Tensor[]{Tensor.randn(g, c.x()), Tensor.randn(g, c.w()).mul(0.2), c.bias() ? Tensor.randn(g, c.w()[0]) : null,
                c.residual() ? Tensor.randn(g, out) : null};
    }

    private static Tensor fused(Backend be, Tensor[] in, Case c, PackedWeights packed) {
        return Conv.conv2dInference(in[0].to(be), in[1].to(be), in[2] == null ? null : in[2].to(be), c.p(),
                in[3] == null ? null : in[3].to(be), c.relu(), packed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheUnfusedConvolution(Case c) {
        Tensor[] in = inputs(c);
        float[] want = fused(Backends.get(ReferenceBackendProvider.NAME), in, c, new PackedWeights()).toFloatArray();
        double scale = 1;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int threads : new int[]{1, 3}) {
            Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(threads));
            Tensor unfused;
            try (var ng = GradMode.noGrad()) {
                unfused = Conv.conv2d(in[0].to(jvm), in[1].to(jvm), in[2] == null ? null : in[2].to(jvm), c.p());
                if (in[3] != null) unfused = unfused.add(in[3].to(jvm));
                if (c.relu()) unfused = unfused.relu();
            }
            PackedWeights packed = new PackedWeights();
            float[] first = fused(jvm, in, c, packed).toFloatArray();
            int forms = packed.size();
            assertTrue(forms > 0, "the jvm backend keeps the packed weights");
            float[] second = fused(jvm, in, c, packed).toFloatArray();
            assertEquals(forms, packed.size(), "a second call reuses the packed forms");
            assertArrayEquals(first, second, "second call");
            float[] plain = unfused.toFloatArray();
            int[] x = c.x(), w = c.w();
            var shape = new dev.maskseg.engine.backend.ConvShape(x[0], x[1], x[2], x[3], w[0], w[2], w[3], c.p().outSize(x[2], w[2], true),
                    c.p().outSize(x[3], w[3], false), c.p().groups());
            // the names say the paths taken with 16-lane vectors (AVX-512); narrower ones cut the lanes differently
            if (Sgemm.NR == 32 && PixelRowsConv.ENABLED && WinogradConv.ENABLED) {
                assertEquals(c.name().contains("(pixel rows)"), JvmConv.pixelRows(shape, c.p()), c + ": which path it takes");
            }
            if (JvmConv.pixelRows(shape, c.p())) {
                // transposed orientation: each sum in the same order, but the bias added where a full tile would start from it
                for (int i = 0; i < plain.length; i++) assertEquals(plain[i], first[i], 1e-6 * scale, c + " (pixel rows) element " + i);
            } else {
                assertArrayEquals(plain, first, c + ", " + threads + " thread(s): fused vs conv2d, add, relu");
            }
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], first[i], 2e-5 * scale, c + ", " + threads + " thread(s), element " + i + " vs reference");
            }
        }
    }

    /** Forms are tied to the weight storage they were made from: new weights in the same slot are packed again. */
    @org.junit.jupiter.api.Test
    void anotherWeightStorageDropsTheOldForms() {
        Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(1));
        Generator g = new Generator(12);
        Tensor x = Tensor.randn(g, 1, 16, 9, 9).to(jvm);
        Tensor w1 = Tensor.randn(g, 32, 16, 3, 3).to(jvm), w2 = w1.mul(-2);
        ConvParams p = params(1, 1, 1, 1);
        PackedWeights packed = new PackedWeights();
        Conv.conv2dInference(x, w1, null, p, null, false, packed);
        float[] got = Conv.conv2dInference(x, w2, null, p, null, false, packed).toFloatArray();
        float[] want = Conv.conv2dInference(x, w2, null, p, null, false, new PackedWeights()).toFloatArray();
        assertArrayEquals(want, got);
    }

    /** A frozen layer keeps its pixel-rows offsets per input size: a second size gets its own, then the first still works. */
    @org.junit.jupiter.api.Test
    void oneFrozenLayerServesSeveralInputSizes() {
        Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(1));
        Generator g = new Generator(13);
        Tensor w = Tensor.randn(g, 64, 24, 3, 3).mul(0.2).to(jvm);
        ConvParams p = params(1, 1, 1, 1);
        PackedWeights packed = new PackedWeights();
        for (int size : new int[]{7, 14, 7}) {
            Tensor x = Tensor.randn(g, 1, 24, size, size).to(jvm);
            var shape = new dev.maskseg.engine.backend.ConvShape(1, 24, size, size, 64, 3, 3, size, size, 1);
            assertTrue(JvmConv.pixelRows(shape, p), size + "x" + size + " takes pixel rows");
            float[] got = Conv.conv2dInference(x, w, null, p, null, false, packed).toFloatArray();
            float[] want = Conv.conv2dInference(x, w, null, p, null, false, null).toFloatArray();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, size + "x" + size + " element " + i);
        }
    }
}
