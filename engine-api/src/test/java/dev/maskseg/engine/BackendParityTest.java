package dev.maskseg.engine;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.backend.ref.ReferenceBackendProvider;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.Pool;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.LinAlg;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.ops.Pointwise;
import dev.maskseg.engine.ops.Reduce;
import dev.maskseg.engine.ops.Resize;
import dev.maskseg.engine.ops.RoiAlign;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every available backend against the scalar reference: forward values and input gradients over
 * shape sweeps (1, 7, 17, 64, 129), broadcasting and non-contiguous views. New backends join by
 * being on the class path.
 */
class BackendParityTest {
    static final int[] SIZES = {1, 7, 17, 64, 129};

    /** Builds an op's inputs (on the given backend) from a seed, then applies it. */
    record Case(String name, int[][] shapes, Function<Tensor[], Tensor[]> prepare, Function<Tensor[], Tensor> op) {}

    private static Case c(String name, Function<Tensor[], Tensor> op, int[]... shapes) {
        return new Case(name, shapes, t -> t, op);
    }

    /** Case whose first input is transposed in its last two dims before use (non-contiguous). */
    private static Case nc(String name, Function<Tensor[], Tensor> op, int[]... shapes) {
        return new Case(name + " [non-contiguous]", shapes, t -> {
            Tensor[] r = t.clone();
            r[0] = t[0].transpose(-1, -2);
            return r;
        }, op);
    }

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        for (int n : SIZES) {
            cs.add(c("add " + n, t -> t[0].add(t[1]), new int[]{3, n}, new int[]{3, n}));
            cs.add(c("mul broadcast row " + n, t -> t[0].mul(t[1]), new int[]{5, n}, new int[]{n}));
            cs.add(c("sub broadcast col " + n, t -> t[0].sub(t[1]), new int[]{n, 3}, new int[]{n, 1}));
            cs.add(nc("div " + n, t -> t[0].div(t[1].abs().add(0.5)), new int[]{n, 4}, new int[]{4, n}));
            cs.add(nc("gelu " + n, t -> Pointwise.gelu(t[0]), new int[]{2, n}));
            cs.add(c("exp/log/sqrt/tanh/sigmoid " + n, t -> t[0].exp().add(1).log().sqrt().tanh().sigmoid(), new int[]{n, 2}));
            cs.add(c("relu/clamp/max " + n, t -> Pointwise.maximum(t[0].relu().clamp(-1, 0.7), t[1]), new int[]{2, n}, new int[]{2, n}));
            cs.add(c("scaled_add " + n, t -> Pointwise.scaledAdd(t[0], 0.999, t[1], 1 - 0.999), new int[]{3, n}, new int[]{3, n}));
            cs.add(c("sum rows " + n, t -> t[0].sum(1, false), new int[]{4, n}));
            cs.add(nc("sum cols " + n, t -> t[0].sum(0, true), new int[]{n, 3}));
            cs.add(c("amax " + n, t -> Reduce.amax(t[0], new int[]{1}, false), new int[]{3, n}));
            cs.add(c("softmax " + n, t -> Norm.softmax(t[0], -1), new int[]{3, n}));
            cs.add(nc("log_softmax " + n, t -> Norm.logSoftmax(t[0], -1), new int[]{n, 5}));
            cs.add(c("layer_norm " + n, t -> Norm.layerNorm(t[0], 1, t[1], t[2], 1e-6), new int[]{3, n}, new int[]{n}, new int[]{n}));
            cs.add(c("matmul " + n + "x17x" + n, t -> t[0].matmul(t[1]), new int[]{n, 17}, new int[]{17, n}));
            cs.add(c("matmul 7x" + n + "x129", t -> t[0].matmul(t[1]), new int[]{7, n}, new int[]{n, 129}));
            cs.add(nc("matmul transposed A " + n, t -> t[0].matmul(t[1]), new int[]{64, n}, new int[]{64, 7}));
            // 1-4 rows of A (a linear head): dot products along W's rows, or sums of B's rows
            cs.add(c("linear x W^T, few rows " + n, t -> t[0].matmul(t[1].t()), new int[]{Math.min(n, 4), 67 + n}, new int[]{n + 40, 67 + n}));
            cs.add(c("matmul few rows " + n, t -> t[0].matmul(t[1]), new int[]{Math.min(n, 3), 33}, new int[]{33, 2 * n + 70}));
            cs.add(c("batched broadcast matmul " + n, t -> t[0].matmul(t[1]), new int[]{2, 1, n, 7}, new int[]{3, 7, 5}));
            // K = 2049 + n spans several K blocks (the first one overwrites C, the others accumulate)
            cs.add(c("matmul long K " + n, t -> t[0].matmul(t[1]), new int[]{n, 2049 + n}, new int[]{2049 + n, 33}));
        }
        // softmax rows (the JVM backend's overlapping last vector): exp underflow to zero, masked -inf entries, a middle dim
        cs.add(c("softmax wide range (exp underflow) 197", t -> Norm.softmax(t[0].mul(60), -1), new int[]{4, 197}));
        cs.add(c("softmax masked -inf 129", t -> Norm.softmax(Index.maskedFill(t[0], t[0].detach().gt(1.0), Double.NEGATIVE_INFINITY), -1),
                new int[]{3, 129}));
        cs.add(c("softmax dim 1 of 3-d", t -> Norm.softmax(t[0], 1), new int[]{2, 17, 9}));
        // one long contiguous row cut into chunks over the threads
        cs.add(c("scaled_add 70001 (chunked)", t -> Pointwise.scaledAdd(t[0], 0.9, t[1], -0.004), new int[]{70001}, new int[]{70001}));
        cs.add(c("linear 3-d", t -> LinAlg.linear(t[0], t[1], t[2]), new int[]{2, 9, 33}, new int[]{40, 33}, new int[]{40}));
        cs.add(c("conv 3x3 pad1", t -> Conv.conv2d(t[0], t[1], t[2], 1, 1, 1, 1), new int[]{2, 5, 9, 9}, new int[]{7, 5, 3, 3}, new int[]{7}));
        cs.add(c("conv 1x1", t -> Conv.conv2d(t[0], t[1], null, 1, 0, 1, 1), new int[]{2, 17, 6, 5}, new int[]{9, 17, 1, 1}));
        cs.add(c("conv 1x1 stride 2", t -> Conv.conv2d(t[0], t[1], null, 2, 0, 1, 1), new int[]{1, 8, 7, 7}, new int[]{16, 8, 1, 1}));
        cs.add(c("conv 7x7 stride 2 pad 3", t -> Conv.conv2d(t[0], t[1], null, 2, 3, 1, 1), new int[]{1, 3, 17, 17}, new int[]{8, 3, 7, 7}));
        cs.add(c("conv dilated 2", t -> Conv.conv2d(t[0], t[1], null, 1, 2, 2, 1), new int[]{1, 4, 11, 10}, new int[]{6, 4, 3, 3}));
        cs.add(c("conv groups 2", t -> Conv.conv2d(t[0], t[1], t[2], 1, 1, 1, 2), new int[]{2, 6, 5, 5}, new int[]{4, 3, 3, 3}, new int[]{4}));
        cs.add(nc("conv non-contiguous input", t -> Conv.conv2d(t[0], t[1], null, 1, 1, 1, 1), new int[]{1, 3, 8, 6}, new int[]{5, 3, 3, 3}));
        // strided reductions: contiguous segments (batch-norm statistics) and column sums past a flush and a column block
        cs.add(c("sum over N,H,W", t -> Reduce.sum(t[0], new int[]{0, 2, 3}, false), new int[]{3, 5, 7, 9}));
        cs.add(c("amax/amin over 0,2", t -> Reduce.amax(t[0], new int[]{0, 2}, true).add(Reduce.amin(t[0], new int[]{0, 2}, true)), new int[]{4, 6, 17}));
        cs.add(c("mean over 0,1", t -> Reduce.mean(t[0], new int[]{0, 1}, false), new int[]{9, 7, 33}));
        cs.add(c("sum cols tall and wide", t -> Reduce.sum(t[0], new int[]{0}, false), new int[]{150, 1100}));
        // middle dims reduced, an inner run kept: the mean over the pixels of channels-blocked activations, and column
        // sums per outer index past a flush and a column block
        cs.add(c("mean over the pixels of blocks", t -> Reduce.mean(t[0], new int[]{2, 3}, false), new int[]{2, 3, 5, 7, 16}));
        cs.add(c("sum middle, outer and inner kept", t -> Reduce.sum(t[0], new int[]{1}, false), new int[]{3, 70, 1100}));
        cs.add(c("sum middle, size-1 and odd run", t -> Reduce.sum(t[0], new int[]{1, 2}, true), new int[]{1, 1, 9, 5}));
        // stride 1 on planes wide enough for the JVM backend's shifted-plane path (padding adds at most a quarter)
        cs.add(c("conv shifted dilated 2", t -> Conv.conv2d(t[0], t[1], null, 1, 2, 2, 1), new int[]{1, 4, 9, 20}, new int[]{6, 4, 3, 3}));
        cs.add(c("conv shifted groups 2 bias", t -> Conv.conv2d(t[0], t[1], t[2], 1, 1, 1, 2), new int[]{2, 6, 7, 12}, new int[]{4, 3, 3, 3}, new int[]{4}));
        cs.add(c("conv shifted 30x40 (weight gradient over two K blocks)", t -> Conv.conv2d(t[0], t[1], t[2], 1, 1, 1, 1),
                new int[]{1, 3, 30, 40}, new int[]{4, 3, 3, 3}, new int[]{4}));
        // strided convolutions on the stride's phase planes (the JVM backend's shifted path with stride > 1): forward and
        // weight gradient, taps in every phase, taps all in one phase (dilation 2), one phase of four (1x1), stride 3
        cs.add(c("conv shifted 3x3 stride 2 bias", t -> Conv.conv2d(t[0], t[1], t[2], 2, 1, 1, 1), new int[]{2, 5, 14, 30},
                new int[]{8, 5, 3, 3}, new int[]{8}));
        cs.add(c("conv shifted 7x7 stride 2 pad 3", t -> Conv.conv2d(t[0], t[1], null, 2, 3, 1, 1), new int[]{1, 3, 20, 46},
                new int[]{8, 3, 7, 7}));
        cs.add(c("conv shifted 3x3 stride 2 dilation 2", t -> Conv.conv2d(t[0], t[1], null, 2, 2, 2, 1), new int[]{1, 4, 13, 36},
                new int[]{6, 4, 3, 3}));
        cs.add(c("conv shifted 1x1 stride 2 odd width", t -> Conv.conv2d(t[0], t[1], null, 2, 0, 1, 1), new int[]{1, 8, 9, 33},
                new int[]{16, 8, 1, 1}));
        cs.add(c("conv shifted 3x3 stride 3", t -> Conv.conv2d(t[0], t[1], null, 3, 1, 1, 1), new int[]{1, 3, 12, 40},
                new int[]{4, 3, 3, 3}));
        cs.add(c("conv shifted 5x5 no pad", t -> Conv.conv2d(t[0], t[1], null, 1, 0, 1, 1), new int[]{1, 3, 12, 24}, new int[]{5, 3, 5, 5}));
        // 3x3, stride 1, at least 16 channels and planes whose tile rows fill the vector lanes: the JVM backend's Winograd
        // path, forward and (16 output channels) input gradient; odd heights, pad 0 and a right edge inside a lane group
        cs.add(c("conv winograd 16->8 bias", t -> Conv.conv2d(t[0], t[1], t[2], 1, 1, 1, 1), new int[]{2, 16, 9, 28}, new int[]{8, 16, 3, 3},
                new int[]{8}));
        cs.add(c("conv winograd 16->16 (input gradient too)", t -> Conv.conv2d(t[0], t[1], null, 1, 1, 1, 1), new int[]{1, 16, 7, 30},
                new int[]{16, 16, 3, 3}));
        cs.add(c("conv winograd pad 0, 24->16", t -> Conv.conv2d(t[0], t[1], null, 1, 0, 1, 1), new int[]{2, 24, 12, 34},
                new int[]{16, 24, 3, 3}));
        // stride 1 where most taps read padding (the JVM backend's per-tap GEMMs over valid rectangles): ASPP-like
        // dilation, taps that fall entirely outside, groups with bias, and one image (the GEMMs split over threads)
        cs.add(c("conv tap dilated 4", t -> Conv.conv2d(t[0], t[1], null, 1, 4, 4, 1), new int[]{2, 5, 13, 11}, new int[]{6, 5, 3, 3}));
        cs.add(c("conv tap empty taps", t -> Conv.conv2d(t[0], t[1], null, 1, 8, 8, 1), new int[]{2, 3, 7, 9}, new int[]{4, 3, 3, 3}));
        cs.add(c("conv tap groups 2 bias", t -> Conv.conv2d(t[0], t[1], t[2], 1, 3, 3, 2), new int[]{2, 6, 9, 9}, new int[]{4, 3, 3, 3},
                new int[]{4}));
        cs.add(c("conv tap one image 16->24", t -> Conv.conv2d(t[0], t[1], null, 1, 2, 2, 1), new int[]{1, 16, 12, 40},
                new int[]{24, 16, 3, 3}));
        cs.add(c("conv tap 5x5 dilated 3", t -> Conv.conv2d(t[0], t[1], null, 1, 6, 3, 1), new int[]{1, 4, 10, 10}, new int[]{9, 4, 5, 5}));
        cs.add(c("conv 64ch 3x3", t -> Conv.conv2d(t[0], t[1], null, 1, 1, 1, 1), new int[]{1, 64, 12, 12}, new int[]{64, 64, 3, 3}));
        cs.add(c("max_pool", t -> Pool.maxPool2d(t[0], 3, 2, 1), new int[]{2, 3, 9, 8}));
        cs.add(c("max_pool planes in parallel", t -> Pool.maxPool2d(t[0], 3, 2, 1), new int[]{4, 16, 40, 40}));
        // its backward, a scatter_add over 4*64 planes of 20x20 windows, is large enough to run in parallel too
        cs.add(c("max_pool backward in parallel", t -> Pool.maxPool2d(t[0], 2, 2, 0), new int[]{4, 64, 40, 40}));
        cs.add(c("avg_pool", t -> Pool.avgPool2d(t[0], 2, 2, 0), new int[]{1, 3, 8, 7}));
        cs.add(c("adaptive_avg_pool", t -> Pool.adaptiveAvgPool2d(t[0], 1, 1), new int[]{2, 5, 7, 3}));
        cs.add(c("batch_norm train", t -> Norm.batchNorm(t[0], null, null, t[1], t[2], true, 0.1, 1e-5),
                new int[]{4, 3, 5, 5}, new int[]{3}, new int[]{3}));
        // the fused kernels: statistics, affine map with and without ReLU, backward, on planes past a vector width
        cs.add(c("batch_norm train relu", t -> Norm.batchNormRelu(t[0], null, null, t[1], t[2], true, 0.1, 1e-5),
                new int[]{2, 5, 9, 7}, new int[]{5}, new int[]{5}));
        cs.add(c("batch_norm train large (parallel channels)", t -> Norm.batchNormRelu(t[0], null, null, t[1], t[2], true, 0.1, 1e-5),
                new int[]{2, 64, 17, 19}, new int[]{64}, new int[]{64}));
        cs.add(c("batch_norm eval relu", t -> Norm.batchNormRelu(t[0], t[1].detach(), t[2].detach().abs().add(0.5), t[3], t[4], false, 0.1, 1e-5),
                new int[]{3, 4, 33}, new int[]{4}, new int[]{4}, new int[]{4}, new int[]{4}));
        cs.add(c("batch_norm 2-d input, no affine", t -> Norm.batchNorm(t[0], null, null, null, null, true, 0.1, 1e-5), new int[]{40, 3}));
        cs.add(c("add_relu broadcast", t -> Pointwise.addRelu(t[0], t[1]), new int[]{3, 19}, new int[]{19}));
        cs.add(c("bilinear", t -> Resize.interpolate(t[0], 17, 13, Mode.BILINEAR, false), new int[]{1, 2, 7, 5}));
        cs.add(c("bicubic", t -> Resize.interpolate(t[0], 14, 9, Mode.BICUBIC, false), new int[]{1, 2, 7, 5}));
        // enough planes and pixels that the JVM backend splits them over its threads
        cs.add(c("bilinear align corners, 12 planes", t -> Resize.interpolate(t[0], 41, 37, Mode.BILINEAR, true), new int[]{2, 6, 20, 24}));
        cs.add(c("nearest down, 12 planes", t -> Resize.interpolate(t[0], 30, 29, Mode.NEAREST, false), new int[]{3, 4, 61, 64}));
        cs.add(c("cat+gather", t -> Index.gather(Index.cat(List.of(t[0], t[1]), 1), 1,
                Tensor.ofLongs(new long[]{0, 3, 1, 2}, 2, 2).to(t[0].backend())), new int[]{2, 2}, new int[]{2, 3}));
        // a gather and a scatter_add (the backward) with a broadcast index, along the last dim and along a middle one
        cs.add(c("index_select last dim", t -> Index.indexSelect(t[0], 2,
                Tensor.ofLongs(new long[]{4, 0, 4, 2, 1}, 5).to(t[0].backend())), new int[]{3, 2, 6}));
        cs.add(nc("index_select dim 0", t -> Index.indexSelect(t[0], 0,
                Tensor.ofLongs(new long[]{1, 1, 0}, 3).to(t[0].backend())), new int[]{5, 2}));
        // RoIAlign: boxes inside, partly and entirely outside, tiny, inverted, the whole map, on the second image
        float[] rois = {0, 20, 30, 150, 120, 1, -40, -20, 60, 90, 0, 250, 190, 400, 300, 1, 50, 50, 52.5f, 51,
                0, 90, 80, 40, 30, 1, 0, 0, 272, 208, 0, 100.3f, 60.7f, 180.1f, 199.9f};
        cs.add(c("roi_align 7x7 1/16 adaptive", t -> RoiAlign.roiAlign(t[0], rois(t[0], rois), 7, 7, 1 / 16.0, 0, true), new int[]{2, 5, 13, 17}));
        cs.add(nc("roi_align 14x14 1/16", t -> RoiAlign.roiAlign(t[0], rois(t[0], rois), 14, 14, 1 / 16.0, 0, true), new int[]{2, 3, 17, 13}));
        cs.add(c("roi_align 5x4 1/8 sampling 2 legacy", t -> RoiAlign.roiAlign(t[0], rois(t[0], rois), 5, 4, 1 / 8.0, 2, false), new int[]{2, 4, 26, 34}));
        cs.add(c("roi_align 33 channels 1/4", t -> RoiAlign.roiAlign(t[0], rois(t[0], rois), 6, 9, 1 / 4.0, 0, true), new int[]{2, 33, 52, 68}));
        cs.add(c("roi_align 1x1 map", t -> RoiAlign.roiAlign(t[0], rois(t[0], new float[]{0, 0, 0, 16, 16, 0, -8, -8, 40, 40, 0, 3, 3, 4, 5}),
                2, 2, 1 / 16.0, 0, true), new int[]{1, 2, 1, 1}));
        cs.add(c("conv_transpose k2 s2 bias", t -> Conv.convTranspose2d(t[0], t[1], t[2], 2, 0, 0, 1, 1),
                new int[]{2, 5, 3, 4}, new int[]{5, 3, 2, 2}, new int[]{3}));
        cs.add(c("conv_transpose k3 s2 p1 op1 groups 2", t -> Conv.convTranspose2d(t[0], t[1], null, 2, 1, 1, 2, 1),
                new int[]{1, 4, 5, 3}, new int[]{4, 3, 3, 3}));
        cs.add(c("conv_transpose dilation 2 op 1", t -> Conv.convTranspose2d(t[0], t[1], t[2], 1, 1, 1, 1, 2),
                new int[]{1, 2, 5, 6}, new int[]{2, 3, 3, 3}, new int[]{3}));
        return cs;
    }

    private static Tensor rois(Tensor like, float[] rois) { return Tensor.of(rois, rois.length / 5, 5).to(like.backend()); }

    @TestFactory
    List<DynamicNode> everyBackendMatchesReference() {
        Backend ref = Backends.get(ReferenceBackendProvider.NAME);
        List<DynamicNode> nodes = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) {
            if (p.name().equals(ReferenceBackendProvider.NAME) || !p.isAvailable()) continue;
            Backend be = Backends.get(p.name());
            List<DynamicNode> tests = new ArrayList<>();
            for (Case c : cases()) tests.add(dynamicTest(c.name(), () -> compare(c, ref, be)));
            nodes.add(DynamicContainer.dynamicContainer(p.name(), tests));
        }
        assertTrue(!nodes.isEmpty(), "no non-reference backend available to test");
        return nodes;
    }

    static void compare(Case c, Backend ref, Backend be) {
        Generator g = new Generator(c.name().hashCode());
        Tensor[] base = new Tensor[c.shapes().length];
        for (int i = 0; i < base.length; i++) base[i] = Tensor.randn(g, c.shapes()[i]);
        Result r = run(c, base, ref), b = run(c, base, be);
        assertArrayEquals(r.out.shape(), b.out.shape(), c.name() + ": output shape");
        close(c.name() + " forward", r.out.toFloatArray(), b.out.toFloatArray());
        for (int i = 0; i < base.length; i++) {
            if (r.grads[i] == null) continue;
            close(c.name() + " grad " + i, r.grads[i].toFloatArray(), b.grads[i].toFloatArray());
        }
    }

    record Result(Tensor out, Tensor[] grads) {}

    static Result run(Case c, Tensor[] base, Backend be) {
        Tensor[] leaves = new Tensor[base.length];
        for (int i = 0; i < base.length; i++) leaves[i] = base[i].to(be).clone().requiresGrad(true);
        Tensor out = c.op().apply(c.prepare().apply(leaves));
        Tensor w = Tensor.randn(new Generator(3), out.shape()).to(be);
        out.mul(w).sum().backward();
        Tensor[] grads = new Tensor[leaves.length];
        for (int i = 0; i < leaves.length; i++) grads[i] = leaves[i].grad();
        return new Result(out, grads);
    }

    static void close(String what, float[] expected, float[] actual) {
        assertTrue(expected.length == actual.length, what + ": length");
        double scale = 1e-6;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            assertTrue(err <= 2e-5 * scale + 1e-5 * Math.abs(expected[i]),
                    what + ": element " + i + " expected " + expected[i] + " got " + actual[i] + " (scale " + scale + ")");
        }
    }
}
