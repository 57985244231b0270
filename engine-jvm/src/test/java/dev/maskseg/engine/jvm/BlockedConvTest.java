package dev.maskseg.engine.jvm;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.ChannelBlocked;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.storage.FloatBufferPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The channels-blocked inference convolution (direct tiles, Winograd on blocks in chunks and in passes, the one-run path of
 * unpadded 1x1 layers)
 * against the reference backend's NCHW conv2d + residual + ReLU: tiles of every width (rows that are not multiples of
 * 14), planes of one pixel, strides, dilation, borders wider than the padding, batch 2, 1 and 3 threads; the output's
 * zero border written even into a reused buffer full of NaN; a second call reusing the packed weights.
 */
class BlockedConvTest {
    record Case(String name, int[] x, int[] w, ConvParams p, int xBorder, int outBorder, boolean bias, boolean residual, boolean relu) {
        @Override public String toString() { return name; }
    }

    private static ConvParams params(int strideH, int strideW, int pad, int dilation) {
        return new ConvParams(strideH, strideW, pad, pad, dilation, dilation, 1);
    }

    static List<Case> cases() {
        return List.of(
                new Case("1x1 on a 1x1 plane, residual, relu (one run)", new int[]{1, 16, 1, 1}, new int[]{32, 16, 1, 1}, params(1, 1, 0, 1), 0, 0, true, true, true),
                new Case("1x1 48->64 at 13x17, batch 2 (one run, every tile width)", new int[]{2, 48, 13, 17}, new int[]{64, 48, 1, 1}, params(1, 1, 0, 1), 0, 0, true, true, true),
                new Case("1x1 with borders in and out (rows)", new int[]{1, 32, 7, 9}, new int[]{64, 32, 1, 1}, params(1, 1, 0, 1), 1, 1, false, false, true),
                new Case("1x1 stride 2 at 14x13", new int[]{1, 32, 14, 13}, new int[]{32, 32, 1, 1}, params(2, 2, 0, 1), 0, 0, true, false, false),
                new Case("3x3 Winograd 16->32 at 9x30, batch 2, residual", new int[]{2, 16, 9, 30}, new int[]{32, 16, 3, 3}, params(1, 1, 1, 1), 1, 0, true, true, true),
                new Case("3x3 Winograd at 15x11 (odd edges), border 2 in and out", new int[]{1, 32, 15, 11}, new int[]{32, 32, 3, 3}, params(1, 1, 1, 1), 2, 2, true, false, true),
                new Case("3x3 Winograd in passes (768 KB transformed, 42 tiles) 128->96 at 11x13, batch 2, residual", new int[]{2, 128, 11, 13},
                        new int[]{96, 128, 3, 3}, params(1, 1, 1, 1), 1, 0, true, true, true),
                new Case("3x3 Winograd in passes at 12x15, border 2 in and out", new int[]{1, 128, 12, 15}, new int[]{96, 128, 3, 3},
                        params(1, 1, 1, 1), 2, 2, false, false, false),
                new Case("3x3 at 7x7 (direct: too few tiles for Winograd)", new int[]{1, 32, 7, 7}, new int[]{64, 32, 3, 3}, params(1, 1, 1, 1), 1, 0, true, true, true),
                new Case("3x3 stride 2 at 15x15", new int[]{1, 32, 15, 15}, new int[]{64, 32, 3, 3}, params(2, 2, 1, 1), 1, 1, true, false, true),
                new Case("3x3 stride 2, dilation 2, border 2 past the padding of 1 at 13x16", new int[]{1, 16, 13, 16}, new int[]{32, 16, 3, 3}, params(2, 2, 1, 2), 2, 0, true, true, true),
                new Case("7x7 stride 2 at 23x25, batch 2", new int[]{2, 16, 23, 25}, new int[]{32, 16, 7, 7}, params(2, 2, 3, 1), 3, 0, true, false, true),
                new Case("3x3 stride 2 down, 1 across at 10x29", new int[]{1, 16, 10, 29}, new int[]{32, 16, 3, 3}, params(2, 1, 1, 1), 1, 0, false, false, false),
                new Case("3x3 dilation 2 at 12x12", new int[]{1, 16, 12, 12}, new int[]{32, 16, 3, 3}, params(1, 1, 2, 2), 2, 0, true, true, false),
                new Case("5x5 at 11x11, border wider than the padding", new int[]{1, 16, 11, 11}, new int[]{32, 16, 5, 5}, params(1, 1, 2, 1), 3, 1, true, false, true));
    }

    private static Tensor[] inputs(Case c) {
        Generator g = new Generator(21);
        int[] out = {c.x()[0], c.w()[0], c.p().outSize(c.x()[2], c.w()[2], true), c.p().outSize(c.x()[3], c.w()[3], false)};
        return new Tensor[]{Tensor.randn(g, c.x()), Tensor.randn(g, c.w()).mul(0.2), c.bias() ? Tensor.randn(g, c.w()[0]) : null,
                c.residual() ? Tensor.randn(g, out) : null};
    }

    private static ChannelBlocked blocked(Backend be, Tensor[] in, Case c, PackedWeights packed) {
        ChannelBlocked x = ChannelBlocked.of(in[0].to(be), c.xBorder());
        ChannelBlocked res = in[3] == null ? null : ChannelBlocked.of(in[3].to(be), 0);
        return Conv.conv2dInferenceBlocked(x, in[1].to(be), in[2] == null ? null : in[2].to(be), c.p(), res, c.relu(), packed, c.outBorder());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReferenceConvolution(Case c) {
        Tensor[] in = inputs(c);
        Backend ref = Backends.get(ReferenceBackendProvider.NAME);
        float[] want = Conv.conv2dInference(in[0].to(ref), in[1].to(ref), in[2] == null ? null : in[2].to(ref), c.p(),
                in[3] == null ? null : in[3].to(ref), c.relu(), new PackedWeights()).toFloatArray();
        double scale = 1;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int threads : new int[]{1, 3}) {
            Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(threads));
            assertEquals(BlockedConv.ENABLED, jvm.blockedConv(DType.FLOAT32, c.x()[1], c.w()[0], c.p(), c.xBorder()), c + ": taken when enabled");
            PackedWeights packed = new PackedWeights();
            ChannelBlocked first = blocked(jvm, in, c, packed);
            int forms = packed.size();
            float[] again = blocked(jvm, in, c, packed).toNchw().toFloatArray();
            assertEquals(forms, packed.size(), c + ": a second call reuses the packed forms");
            float[] got = first.toNchw().toFloatArray();
            assertArrayEquals(got, again, c + ": second call");
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 5e-5 * scale, c + ", " + threads + " thread(s), element " + i);
            }
            assertBorderIsZero(first, c.toString());
        }
    }

    /**
     * Written over the residual: the same sums as into a new output, in the residual's own buffer when the backend takes
     * the layer, at 1 and 3 threads (Winograd's output transform and the tiles each read a residual value before writing
     * its sum there).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ontoTheResidualMatchesANewOutput(Case c) {
        if (!c.residual() || c.outBorder() != 0) return;
        Tensor[] in = inputs(c);
        for (int threads : new int[]{1, 3}) {
            Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(threads));
            PackedWeights packed = new PackedWeights();
            float[] want = blocked(jvm, in, c, packed).toNchw().toFloatArray();
            ChannelBlocked res = ChannelBlocked.of(in[3].to(jvm), 0);
            ChannelBlocked got = Conv.conv2dInferenceBlockedOnto(ChannelBlocked.of(in[0].to(jvm), c.xBorder()), in[1].to(jvm),
                    in[2] == null ? null : in[2].to(jvm), c.p(), res, c.relu(), packed);
            assertEquals(BlockedConv.ENABLED, got == res, c + ": the residual's buffer holds the sums when the layer is taken");
            assertArrayEquals(want, got.toNchw().toFloatArray(), c + ", " + threads + " thread(s)");
        }
    }

    /** A layer run in NCHW returns a new output and closes the residual it was given. */
    @Test
    void ontoTheResidualOfALayerItDoesNotTakeClosesIt() {
        Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(1));
        Generator g = new Generator(24);
        Tensor x = Tensor.randn(g, 1, 16, 6, 5).to(jvm), w = Tensor.randn(g, 48, 16, 1, 1).to(jvm), r = Tensor.randn(g, 1, 48, 6, 5).to(jvm);
        ConvParams p = params(1, 1, 0, 1);
        float[] want = Conv.conv2dInference(x, w, null, p, r, true, new PackedWeights()).toFloatArray();
        ChannelBlocked res = ChannelBlocked.of(r, 0);
        ChannelBlocked y = Conv.conv2dInferenceBlockedOnto(ChannelBlocked.of(x, 0), w, null, p, res, true, new PackedWeights());
        assertArrayEquals(want, y.toNchw().toFloatArray());
        assertThrows(IllegalStateException.class, () -> res.data().toFloatArray(), "the residual was closed");
    }

    /** The output's border is written as zeros, not left as whatever a reused buffer held. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aReusedBufferFullOfNaNGetsItsBorderZeroed(Case c) {
        Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(2));
        Tensor[] in = inputs(c);
        PackedWeights packed = new PackedWeights();
        FloatBufferPool.clear();
        ChannelBlocked fresh = blocked(jvm, in, c, packed);
        float[] want = fresh.data().toFloatArray();
        int[] shape = fresh.data().shape();
        fresh.close();
        Tensor.empty(jvm, DType.FLOAT32, shape).fill_(Float.NaN).close();
        ChannelBlocked got = blocked(jvm, in, c, packed);
        assertArrayEquals(want, got.data().toFloatArray(), c + ": output in a NaN-filled buffer");
        assertBorderIsZero(got, c.toString());
        FloatBufferPool.clear();
    }

    private static void assertBorderIsZero(ChannelBlocked y, String what) {
        int b = y.border(), hp = y.height() + 2 * b, wp = y.width() + 2 * b, planes = y.batch() * y.channels() / ChannelBlocked.BLOCK;
        float[] d = y.data().toFloatArray();
        for (int pl = 0; pl < planes; pl++) {
            for (int r = 0; r < hp; r++) {
                for (int col = 0; col < wp; col++) {
                    if (r >= b && r < hp - b && col >= b && col < wp - b) continue;
                    for (int l = 0; l < ChannelBlocked.BLOCK; l++) {
                        assertEquals(0f, d[((pl * hp + r) * wp + col) * ChannelBlocked.BLOCK + l], what + ": border pixel (" + r + ", " + col + ")");
                    }
                }
            }
        }
    }

    /** A first layer on the NCHW image written blocked: the stem's 7x7 stride 2, and odd widths and channel counts. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("planeCases")
    void aFirstLayerWritesBlocksFromNchwPlanes(Case c) {
        Tensor[] in = inputs(c);
        Backend ref = Backends.get(ReferenceBackendProvider.NAME);
        float[] want = Conv.conv2dInference(in[0].to(ref), in[1].to(ref), in[2] == null ? null : in[2].to(ref), c.p(), null, c.relu(),
                new PackedWeights()).toFloatArray();
        double scale = 1;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int threads : new int[]{1, 3}) {
            Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(threads));
            assertEquals(BlockedConv.ENABLED, jvm.blockedConvOfNchw(DType.FLOAT32, c.x()[1], c.w()[0], c.p()), c + ": taken when enabled");
            PackedWeights packed = new PackedWeights();
            ChannelBlocked y = Conv.conv2dInferenceToBlocked(in[0].to(jvm), in[1].to(jvm), in[2] == null ? null : in[2].to(jvm), c.p(), c.relu(),
                    packed, c.outBorder());
            float[] got = y.toNchw().toFloatArray();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-5 * scale, c + ", " + threads + " thread(s), element " + i);
            assertBorderIsZero(y, c.toString());
        }
    }

    static List<Case> planeCases() {
        return List.of(
                new Case("7x7 stride 2 stem, 3->64 at 37x30", new int[]{1, 3, 37, 30}, new int[]{64, 3, 7, 7}, params(2, 2, 3, 1), 0, 0, true, false, true),
                new Case("3x3 5->32 at 9x17, batch 2, border 1 out", new int[]{2, 5, 9, 17}, new int[]{32, 5, 3, 3}, params(1, 1, 1, 1), 0, 1, false, false, false),
                new Case("1x1 1->32 on a 1x1 plane", new int[]{1, 1, 1, 1}, new int[]{32, 1, 1, 1}, params(1, 1, 0, 1), 0, 0, true, false, true));
    }

    /** Max pooling on the blocks against the NCHW max pool: windows clipped at the edges, borders in and out. */
    @Test
    void maxPoolOnTheBlocksMatchesNchw() {
        Generator g = new Generator(24);
        for (int[] shape : new int[][]{{1, 64, 112, 112}, {2, 16, 7, 9}, {1, 32, 1, 1}}) {
            Tensor x = Tensor.randn(g, shape);
            Backend ref = Backends.get(ReferenceBackendProvider.NAME);
            float[] want = dev.maskseg.engine.ops.Pool.maxPool2d(x.to(ref), 3, 2, 1).toFloatArray();
            for (int threads : new int[]{1, 3}) {
                Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(threads));
                ChannelBlocked y = dev.maskseg.engine.ops.Pool.maxPool2dBlocked(ChannelBlocked.of(x.to(jvm), 1), 3, 2, 1, 2);
                assertArrayEquals(want, y.toNchw().toFloatArray(), java.util.Arrays.toString(shape) + ", " + threads + " thread(s)");
                assertBorderIsZero(y, "max pool " + java.util.Arrays.toString(shape));
            }
        }
    }

    /** Layers it does not take (channels not in blocks of 16 and 32, padding past the border, groups) run between conversions. */
    @Test
    void layersItDoesNotTakeRunInNchwBetweenConversions() {
        Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(1));
        assertFalse(jvm.blockedConv(DType.FLOAT32, 16, 48, params(1, 1, 0, 1), 0), "48 outputs: not pairs of blocks");
        assertFalse(jvm.blockedConv(DType.FLOAT32, 16, 32, params(1, 1, 2, 1), 1), "padding past the border");
        assertFalse(jvm.blockedConv(DType.FLOAT32, 16, 32, new ConvParams(1, 1, 0, 0, 1, 1, 2), 0), "groups");
        assertFalse(jvm.blockedConv(DType.FLOAT64, 16, 32, params(1, 1, 0, 1), 0), "float64");
        assertFalse(jvm.blockedConv(DType.FLOAT32, 16, 32, params(3, 3, 0, 1), 0), "stride 3 across");
        Generator g = new Generator(22);
        Tensor x = Tensor.randn(g, 1, 16, 6, 5).to(jvm), w = Tensor.randn(g, 48, 16, 3, 3).to(jvm), bias = Tensor.randn(g, 48).to(jvm);
        ConvParams p = params(1, 1, 1, 1);
        ChannelBlocked y = Conv.conv2dInferenceBlocked(ChannelBlocked.of(x, 1), w, bias, p, null, true, new PackedWeights(), 1);
        float[] want = Conv.conv2dInference(x, w, bias, p, null, true, new PackedWeights()).toFloatArray();
        assertArrayEquals(want, y.toNchw().toFloatArray());
        assertEquals(1, y.border());
        assertBorderIsZero(y, "48 outputs");
    }

    @Test
    void aResidualWithABorderOrAnotherShapeIsOneClearError() {
        Backend jvm = Backends.get(JvmBackend.NAME, BackendOptions.threads(1));
        Generator g = new Generator(23);
        ChannelBlocked x = ChannelBlocked.of(Tensor.randn(g, 1, 16, 5, 5).to(jvm), 0);
        Tensor w = Tensor.randn(g, 32, 16, 1, 1).to(jvm);
        ChannelBlocked bordered = ChannelBlocked.of(Tensor.randn(g, 1, 32, 5, 5).to(jvm), 1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Conv.conv2dInferenceBlocked(x, w, null, params(1, 1, 0, 1), bordered, false, new PackedWeights(), 0));
        assertTrue(e.getMessage().contains("conv2d_inference_blocked") && e.getMessage().contains("residual"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> ChannelBlocked.of(Tensor.randn(g, 1, 20, 5, 5).to(jvm), 0));
        assertTrue(e2.getMessage().contains("[1, 20, 5, 5]"), e2.getMessage());
    }
}
