package dev.maskseg.engine;

import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.Pool;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.LinAlg;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.engine.ops.Losses.Reduction;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.ops.Pointwise;
import dev.maskseg.engine.ops.Reduce;
import dev.maskseg.engine.ops.Resize;
import dev.maskseg.engine.ops.RoiAlign;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/** Every differentiable op against central differences in float64, incl. broadcast and non-contiguous inputs. */
class GradCheckTest {
    private final Generator g = new Generator(7);
    private final List<DynamicTest> tests = new ArrayList<>();

    private void add(String name, Function<Tensor[], Tensor> f, Supplier<Tensor[]> leaves) {
        tests.add(dynamicTest(name, () -> GradCheck.check(name, f, leaves.get())));
    }

    private Tensor x(int... s) { return GradCheck.leaf(g, s); }

    private Tensor pos(int... s) { return GradCheck.leaf(g, 0.5, 2.0, s); }

    private static Tensor longs(long[] v, int... s) { return Tensor.ofLongs(v, s); }

    @TestFactory
    List<DynamicTest> elementwise() {
        add("add broadcast", t -> t[0].add(t[1]), () -> new Tensor[]{x(3, 4), x(4)});
        add("sub broadcast", t -> t[0].sub(t[1]), () -> new Tensor[]{x(2, 1, 3), x(4, 1)});
        add("mul non-contiguous", t -> t[0].transpose(0, 1).mul(t[1]), () -> new Tensor[]{x(4, 3), x(3, 4)});
        add("div", t -> t[0].div(t[1]), () -> new Tensor[]{x(3, 4), pos(3, 1)});
        add("neg", t -> t[0].neg(), () -> new Tensor[]{x(5)});
        add("pow", t -> t[0].pow(3.0), () -> new Tensor[]{x(2, 3)});
        add("pow fractional", t -> t[0].pow(1.5), () -> new Tensor[]{pos(2, 3)});
        add("exp", t -> t[0].exp(), () -> new Tensor[]{x(2, 3)});
        add("log", t -> t[0].log(), () -> new Tensor[]{pos(2, 3)});
        add("sqrt", t -> t[0].sqrt(), () -> new Tensor[]{pos(2, 3)});
        add("rsqrt", t -> Pointwise.rsqrt(t[0]), () -> new Tensor[]{pos(2, 3)});
        add("abs", t -> t[0].abs(), () -> new Tensor[]{x(7)});
        add("clamp", t -> t[0].clamp(-0.5, 0.5), () -> new Tensor[]{x(9)});
        add("maximum broadcast", t -> Pointwise.maximum(t[0], t[1]), () -> new Tensor[]{x(3, 4), x(1, 4)});
        add("minimum", t -> Pointwise.minimum(t[0], t[1]), () -> new Tensor[]{x(3, 4), x(3, 4)});
        add("where", t -> Pointwise.where(t[0].detach().gt(0), t[1], t[2]), () -> new Tensor[]{x(3, 4), x(3, 4), x(4)});
        add("relu", t -> t[0].relu(), () -> new Tensor[]{x(10)});
        add("add_relu broadcast", t -> Pointwise.addRelu(t[0], t[1]), () -> new Tensor[]{x(3, 4), x(4)});
        add("gelu", t -> Pointwise.gelu(t[0]), () -> new Tensor[]{x(10)});
        add("sigmoid", t -> t[0].sigmoid(), () -> new Tensor[]{x(10)});
        add("tanh", t -> t[0].tanh(), () -> new Tensor[]{x(10)});
        add("softplus", t -> Pointwise.softplus(t[0], 2.0, 3.0), () -> new Tensor[]{x(10)});
        add("erf", t -> Pointwise.erf(t[0]), () -> new Tensor[]{x(10)});
        add("scalar ops", t -> t[0].mul(3).add(1).div(2).sub(0.5), () -> new Tensor[]{x(4)});
        add("rdiv", t -> Pointwise.rdiv(2.0, t[0]), () -> new Tensor[]{pos(4)});
        return tests;
    }

    @TestFactory
    List<DynamicTest> reductions() {
        int[] d02 = {0, 2};
        add("sum all", t -> t[0].sum(), () -> new Tensor[]{x(3, 4)});
        add("sum dims keepdim", t -> Reduce.sum(t[0], d02, true), () -> new Tensor[]{x(2, 3, 4)});
        add("mean dim non-contiguous", t -> t[0].permute(2, 0, 1).mean(1, false), () -> new Tensor[]{x(2, 3, 4)});
        add("amax dims", t -> Reduce.amax(t[0], d02, false), () -> new Tensor[]{x(2, 3, 4)});
        add("amin", t -> Reduce.amin(t[0], new int[]{1}, true), () -> new Tensor[]{x(2, 3)});
        add("max dim", t -> Reduce.max(t[0], 1, false).values(), () -> new Tensor[]{x(3, 5)});
        add("min dim keepdim", t -> Reduce.min(t[0], 0, true).values(), () -> new Tensor[]{x(3, 5)});
        add("var unbiased", t -> Reduce.var(t[0], new int[]{1}, true, false), () -> new Tensor[]{x(3, 5)});
        add("std biased", t -> Reduce.std(t[0], d02, false, true), () -> new Tensor[]{x(2, 3, 4)});
        add("logsumexp", t -> Reduce.logsumexp(t[0], new int[]{-1}, false), () -> new Tensor[]{x(3, 6)});
        add("topk", t -> Reduce.topk(t[0], 3, 1, true).values(), () -> new Tensor[]{x(2, 7)});
        add("topk smallest dim0", t -> Reduce.topk(t[0], 2, 0, false).values(), () -> new Tensor[]{x(5, 3)});
        return tests;
    }

    @TestFactory
    List<DynamicTest> linearAlgebra() {
        add("matmul 2d", t -> t[0].matmul(t[1]), () -> new Tensor[]{x(3, 4), x(4, 5)});
        add("matmul transposed", t -> t[0].t().matmul(t[1].t()), () -> new Tensor[]{x(4, 3), x(5, 4)});
        add("matmul batched broadcast", t -> t[0].matmul(t[1]), () -> new Tensor[]{x(2, 1, 3, 4), x(3, 4, 2)});
        add("matmul vector", t -> t[0].matmul(t[1]), () -> new Tensor[]{x(3, 4), x(4)});
        add("linear 3d", t -> LinAlg.linear(t[0], t[1], t[2]), () -> new Tensor[]{x(2, 3, 4), x(5, 4), x(5)});
        add("conv2d", t -> Conv.conv2d(t[0], t[1], t[2], 1, 1, 1, 1), () -> new Tensor[]{x(2, 3, 5, 5), x(4, 3, 3, 3), x(4)});
        add("conv2d stride dilation", t -> Conv.conv2d(t[0], t[1], null, 2, 2, 2, 1), () -> new Tensor[]{x(1, 2, 7, 6), x(3, 2, 3, 3)});
        add("conv2d groups", t -> Conv.conv2d(t[0], t[1], t[2], 1, 0, 1, 2), () -> new Tensor[]{x(2, 4, 4, 4), x(6, 2, 2, 2), x(6)});
        add("conv2d non-contiguous input", t -> Conv.conv2d(t[0].transpose(2, 3), t[1], null, 1, 0, 1, 1),
                () -> new Tensor[]{x(1, 2, 5, 4), x(2, 2, 1, 1)});
        return tests;
    }

    @TestFactory
    List<DynamicTest> nnOps() {
        add("max_pool2d", t -> Pool.maxPool2d(t[0], 3, 2, 1), () -> new Tensor[]{x(2, 2, 7, 7)});
        add("max_pool2d ceil dilation", t -> Pool.maxPool2d(t[0], new PoolParams(2, 2, 2, 2, 0, 0, 2, 2, true, true)),
                () -> new Tensor[]{x(1, 2, 7, 8)});
        add("avg_pool2d", t -> Pool.avgPool2d(t[0], new PoolParams(3, 3, 2, 2, 1, 1, 1, 1, false, false)), () -> new Tensor[]{x(1, 2, 6, 5)});
        add("avg_pool2d ceil include pad", t -> Pool.avgPool2d(t[0], new PoolParams(3, 3, 2, 2, 1, 1, 1, 1, true, true)),
                () -> new Tensor[]{x(1, 1, 6, 6)});
        add("adaptive_avg_pool2d", t -> Pool.adaptiveAvgPool2d(t[0], 3, 2), () -> new Tensor[]{x(2, 2, 7, 5)});
        add("batch_norm train", t -> Norm.batchNorm(t[0], null, null, t[1], t[2], true, 0.1, 1e-5),
                () -> new Tensor[]{x(3, 2, 3, 3), x(2), x(2)});
        add("batch_norm eval", t -> Norm.batchNorm(t[0], Tensor.of(new double[]{0.1, -0.2}, 2), Tensor.of(new double[]{1.5, 0.7}, 2),
                t[1], t[2], false, 0.1, 1e-5), () -> new Tensor[]{x(2, 2, 3), x(2), x(2)});
        add("batch_norm_relu train", t -> Norm.batchNormRelu(t[0], null, null, t[1], t[2], true, 0.1, 1e-5),
                () -> new Tensor[]{x(3, 2, 3, 3), x(2), x(2)});
        add("batch_norm_relu eval", t -> Norm.batchNormRelu(t[0], Tensor.of(new double[]{0.1, -0.2}, 2), Tensor.of(new double[]{1.5, 0.7}, 2),
                t[1], t[2], false, 0.1, 1e-5), () -> new Tensor[]{x(2, 2, 3), x(2), x(2)});
        add("batch_norm no affine", t -> Norm.batchNorm(t[0], null, null, null, null, true, 0.1, 1e-5), () -> new Tensor[]{x(4, 3)});
        add("layer_norm", t -> Norm.layerNorm(t[0], 1, t[1], t[2], 1e-6), () -> new Tensor[]{x(3, 8), x(8), x(8)});
        add("layer_norm 2 dims non-contiguous", t -> Norm.layerNorm(t[0].transpose(0, 1), 2, t[1], null, 1e-5),
                () -> new Tensor[]{x(3, 2, 4), x(3, 4)});
        add("softmax dim 1", t -> Norm.softmax(t[0], 1), () -> new Tensor[]{x(2, 4, 3)});
        add("log_softmax last", t -> Norm.logSoftmax(t[0], -1), () -> new Tensor[]{x(3, 5)});
        add("dropout seeded", t -> Norm.dropout(t[0], 0.3, true, new Generator(5)), () -> new Tensor[]{x(4, 5)});
        add("normalize", t -> Norm.normalize(t[0], 1, 1e-12), () -> new Tensor[]{x(3, 4)});
        add("cross_entropy weighted ignore", t -> Losses.crossEntropy(t[0], longs(new long[]{0, 2, 255, 1}, 4), t[1], 255, Reduction.MEAN),
                () -> new Tensor[]{x(4, 3), pos(3)});
        add("cross_entropy 4d sum", t -> Losses.crossEntropy(t[0], longs(new long[]{0, 1, 2, 1, 0, 2, 255, 1}, 2, 2, 2), null, 255, Reduction.SUM),
                () -> new Tensor[]{x(2, 3, 2, 2)});
        add("cross_entropy none", t -> Losses.crossEntropy(t[0], longs(new long[]{1, 0}, 2), null, -100, Reduction.NONE),
                () -> new Tensor[]{x(2, 3)});
        add("bce_with_logits weighted", t -> Losses.bceWithLogits(t[0], t[1], t[2], Reduction.MEAN),
                () -> new Tensor[]{x(3, 4), GradCheck.leaf(g, 0.0, 1.0, 3, 4).requiresGrad(false), pos(3, 4).requiresGrad(false)});
        add("bce_with_logits target grad", t -> Losses.bceWithLogits(t[0], t[1], null, Reduction.SUM),
                () -> new Tensor[]{x(2, 3), GradCheck.leaf(g, 0.0, 1.0, 2, 3)});
        return tests;
    }

    @TestFactory
    List<DynamicTest> detection() {
        Tensor rois = Tensor.of(new double[]{0, 2.5, 3, 14, 11.25, 1, -4, -2, 6, 9, 0, 25, 19, 40, 30, 1, 5, 5, 5.25, 5.1,
                0, 9, 8, 4, 3, 1, 0, 0, 17, 13}, 6, 5);
        add("roi_align aligned adaptive", t -> RoiAlign.roiAlign(t[0], rois, 3, 4, 1.0, 0, true), () -> new Tensor[]{x(2, 2, 13, 17)});
        add("roi_align legacy sampling 2 scale 1/2", t -> RoiAlign.roiAlign(t[0], rois, 2, 3, 0.5, 2, false), () -> new Tensor[]{x(2, 1, 7, 9)});
        add("roi_align non-contiguous", t -> RoiAlign.roiAlign(t[0].transpose(2, 3), rois, 3, 3, 1.0, 0, true), () -> new Tensor[]{x(2, 1, 17, 13)});
        add("conv_transpose2d k2 s2", t -> Conv.convTranspose2d(t[0], t[1], t[2], 2, 0, 0, 1, 1), () -> new Tensor[]{x(2, 3, 3, 2), x(3, 2, 2, 2), x(2)});
        add("conv_transpose2d k3 s2 p1 op1 groups 2", t -> Conv.convTranspose2d(t[0], t[1], t[2], 2, 1, 1, 2, 1),
                () -> new Tensor[]{x(1, 4, 3, 2), x(4, 1, 3, 3), x(2)});
        add("conv_transpose2d dilation 2 op 1", t -> Conv.convTranspose2d(t[0], t[1], null, 1, 1, 1, 1, 2), () -> new Tensor[]{x(1, 2, 3, 4), x(2, 2, 3, 3)});
        // values away from the kinks at |d| = beta and d = 0, where the loss is not differentiable
        add("smooth_l1 beta 0.5", t -> Losses.smoothL1(t[0], t[1], 0.5, Reduction.NONE),
                () -> new Tensor[]{Tensor.of(new double[]{-2, -0.7, -0.3, 0.1, 0.4, 0.9, 1.6}, 7).requiresGrad(true), Tensor.zeros(DType.FLOAT64, 7).requiresGrad(true)});
        add("smooth_l1 beta 0 (L1) mean", t -> Losses.smoothL1(t[0], t[1], 0.0, Reduction.MEAN), () -> new Tensor[]{x(3, 4), x(3, 4)});
        return tests;
    }

    @TestFactory
    List<DynamicTest> resizing() {
        add("nearest", t -> Resize.interpolate(t[0], 7, 5, Mode.NEAREST, false), () -> new Tensor[]{x(1, 2, 4, 3)});
        add("bilinear", t -> Resize.interpolate(t[0], 7, 5, Mode.BILINEAR, false), () -> new Tensor[]{x(1, 2, 4, 3)});
        add("bilinear align_corners", t -> Resize.interpolate(t[0], 3, 8, Mode.BILINEAR, true), () -> new Tensor[]{x(2, 1, 5, 4)});
        add("bicubic", t -> Resize.interpolate(t[0], 6, 9, Mode.BICUBIC, false), () -> new Tensor[]{x(1, 2, 4, 5)});
        add("bicubic scale factor", t -> Resize.interpolateScale(t[0], 1.5 + 0.1 / 4, 2.0, Mode.BICUBIC, false), () -> new Tensor[]{x(1, 1, 4, 3)});
        return tests;
    }

    @TestFactory
    List<DynamicTest> indexingAndViews() {
        add("cat", t -> Index.cat(List.of(t[0], t[1].transpose(0, 1)), 1), () -> new Tensor[]{x(2, 3), x(4, 2)});
        add("stack", t -> Index.stack(List.of(t[0], t[1]), 0), () -> new Tensor[]{x(2, 3), x(2, 3)});
        add("split", t -> Index.split(t[0], 2, 1).get(1).mul(2), () -> new Tensor[]{x(3, 5)});
        add("chunk", t -> Index.chunk(t[0], 3, 0).get(2), () -> new Tensor[]{x(7, 2)});
        add("index_select", t -> Index.indexSelect(t[0], 1, longs(new long[]{2, 0, 2}, 3)), () -> new Tensor[]{x(2, 4)});
        add("gather", t -> Index.gather(t[0], 1, longs(new long[]{0, 2, 1, 1, 3, 0}, 2, 3)), () -> new Tensor[]{x(2, 4)});
        add("scatter_add", t -> Index.scatterAdd(t[0], 0, longs(new long[]{1, 0, 1}, 1, 3), t[1]), () -> new Tensor[]{x(2, 3), x(1, 3)});
        add("masked_fill", t -> Index.maskedFill(t[0], t[0].detach().lt(0), 0.25), () -> new Tensor[]{x(3, 4)});
        add("masked_select", t -> Index.maskedSelect(t[0], t[0].detach().gt(0)), () -> new Tensor[]{x(3, 4)});
        add("pad", t -> Index.pad(t[0], new int[]{1, 2, 0, 1}, 0.5), () -> new Tensor[]{x(2, 2, 3)});
        add("views", t -> t[0].permute(2, 0, 1).narrow(0, 1, 2).unsqueeze(1).expand(2, 3, 2, 3).select(3, 1),
                () -> new Tensor[]{x(2, 3, 4)});
        add("slice step", t -> t[0].slice(1, 0, 5, 2), () -> new Tensor[]{x(2, 5)});
        add("reshape flatten", t -> t[0].transpose(0, 1).flatten(0, 1).reshape(3, 4), () -> new Tensor[]{x(2, 6)});
        return tests;
    }
}
