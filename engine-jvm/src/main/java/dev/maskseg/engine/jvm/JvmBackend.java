package dev.maskseg.engine.jvm;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.ReduceOp;
import dev.maskseg.engine.backend.ResizeParams;
import dev.maskseg.engine.backend.RoiAlignParams;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.ReferenceBackend;

/**
 * The fast CPU backend: Vector API kernels on its own ForkJoinPool for float32 data, one class per op family, named as
 * the ops and reference kernels of that family ({@code ops/Conv}, {@code ref/RefConv}, {@link JvmConv}): JvmPointwise,
 * JvmReduce, JvmLinAlg, JvmConv, JvmNorm, JvmBatchNorm, JvmPool, JvmResize, JvmIndex (scatter_add along the last dim),
 * JvmRoiAlign. Anything it does not accelerate (other dtypes, gather, rarely used ops) runs the inherited reference kernel.
 */
final class JvmBackend extends ReferenceBackend {
    static final String NAME = "jvm";
    private final WorkerPool pool;

    JvmBackend(int threads) {
        super(NAME);
        this.pool = new WorkerPool(threads);
    }

    @Override public int threads() { return pool.threads(); }

    @Override public String device() {
        return "CPU (" + pool.threads() + " threads, " + VectorWidth.describe() + " Vector API, "
                + Runtime.getRuntime().availableProcessors() + " cores)";
    }

    private static boolean f32(View... vs) {
        for (View v : vs) if (v != null && v.dtype() != DType.FLOAT32) return false;
        return true;
    }

    private static boolean dense(View... vs) {
        for (View v : vs) if (v != null && !v.isContiguous()) return false;
        return true;
    }

    /** The blocked kernels have no fallback of their own (the ops convert to NCHW before asking): anything else is a caller's bug. */
    private static void requireDenseFloat32(String op, View x, View... others) {
        View[] all = java.util.Arrays.copyOf(others, others.length + 1);
        all[others.length] = x;
        if (!(f32(all) && dense(all))) {
            throw new IllegalArgumentException(op + ": jvm takes dense float32 views, got " + x.dtype() + " " + java.util.Arrays.toString(x.shape()));
        }
    }

    @Override public void fill(View dst, double value) {
        if (f32(dst) && dense(dst)) JvmPointwise.fill(dst, (float) value);
        else super.fill(dst, value);
    }

    @Override public void copy(View src, View dst) {
        if (f32(src, dst)) JvmPointwise.copy(pool, src, dst);
        else super.copy(src, dst);
    }

    @Override public void unary(UnaryOp op, double p1, double p2, View src, View dst) {
        if (f32(src, dst) && op != UnaryOp.NOT) JvmPointwise.unary(pool, op, (float) p1, (float) p2, src, dst);
        else super.unary(op, p1, p2, src, dst);
    }

    @Override public void binary(BinaryOp op, View a, View b, View dst) {
        if (f32(a, b, dst) && JvmPointwise.vectorBinary(op)) JvmPointwise.binary(pool, op, a, b, dst);
        else super.binary(op, a, b, dst);
    }

    @Override public void scaledAdd(double a, View x, double b, View y, View out) {
        if (f32(x, y, out) && dense(x, y, out)) JvmPointwise.scaledAdd(pool, (float) a, x, (float) b, y, out);
        else super.scaledAdd(a, x, b, y, out);
    }

    @Override public void reduce(ReduceOp op, View src, int reducedDims, View dst, View indices) {
        if (indices == null && f32(src, dst) && dense(dst) && JvmReduce.reduce(pool, op, src, reducedDims, dst)) return;
        super.reduce(op, src, reducedDims, dst, indices);
    }

    @Override public void matmul(View a, View b, View dst) {
        if (f32(a, b, dst) && dense(dst)) JvmLinAlg.matmul(pool, a, b, dst);
        else super.matmul(a, b, dst);
    }

    @Override public void linearInference(View x, View w, View bias, PackedWeights packed, View out) {
        if (f32(x, w, out) && dense(x, w, out)) {
            JvmLinAlg.linearInference(pool, x, w, packed, out);
            if (bias != null) binary(BinaryOp.ADD, out, bias.asRows(out.shape()[0]), out);
        } else {
            super.linearInference(x, w, bias, packed, out);
        }
    }

    @Override public void maxPool2d(View x, PoolParams p, View out, View indices) {
        if (f32(x, out) && indices.dtype() == DType.INT64 && dense(x, out, indices)) JvmPool.maxPool2d(pool, x, p, out, indices);
        else super.maxPool2d(x, p, out, indices);
    }

    @Override public void scatterAdd(View dst, int dim, View index, View src) {
        if (dim == index.rank() - 1 && f32(dst, src) && index.dtype() == DType.INT64 && dense(dst)) JvmIndex.scatterAddLastDim(pool, dst, index, src);
        else super.scatterAdd(dst, dim, index, src);
    }

    /** JvmConv writes every output element, and so do the reference kernels it falls back to (RefConv sets each one). */
    @Override public boolean convOverwritesOutput() { return true; }

    @Override public void conv2d(View x, View w, View bias, ConvParams p, View out) {
        if (f32(x, w, bias, out) && dense(x, w, out)) JvmConv.forward(pool, x, w, bias, p, out);
        else super.conv2d(x, w, bias, p, out);
    }

    @Override public void conv2dInference(View x, View w, View bias, ConvParams p, View residual, boolean relu, PackedWeights packed, View out) {
        if (f32(x, w, bias, out, residual) && dense(x, w, out, residual)) JvmConv.forward(pool, x, w, bias, p, out, packed, residual, relu);
        else super.conv2dInference(x, w, bias, p, residual, relu, packed, out);
    }

    @Override public boolean blockedConv(DType dtype, int cin, int cout, ConvParams p, int xBorder) {
        return BlockedConv.takes(dtype, cin, cout, p, xBorder);
    }

    @Override public void conv2dInferenceBlocked(View x, int xBorder, View w, View bias, ConvParams p, View residual, boolean relu,
                                                 PackedWeights packed, View out, int outBorder) {
        requireDenseFloat32("conv2d_inference_blocked", x, w, bias, out, residual);
        BlockedConv.forward(pool, x, xBorder, w, bias, p, residual, relu, packed, out, outBorder);
    }

    @Override public boolean blockedConvOfNchw(DType dtype, int cin, int cout, ConvParams p) { return BlockedConv.takesPlanes(dtype, cout, p); }

    @Override public void conv2dInferenceToBlocked(View x, View w, View bias, ConvParams p, boolean relu, PackedWeights packed, View out, int outBorder) {
        requireDenseFloat32("conv2d_inference_to_blocked", x, w, bias, out);
        BlockedConv.forwardFromPlanes(pool, x, w, bias, p, relu, packed, out, outBorder);
    }

    @Override public boolean blockedMaxPool(DType dtype, PoolParams p) { return BlockedPool.takes(dtype, p); }

    @Override public void maxPool2dBlocked(View x, int xBorder, PoolParams p, View out, int outBorder) {
        requireDenseFloat32("max_pool2d_blocked", x, out);
        BlockedPool.max(pool, x, xBorder, p, out, outBorder);
    }

    @Override public void conv2dBackwardInput(View gradOut, View w, ConvParams p, View gradInput) {
        if (f32(gradOut, w, gradInput) && dense(gradOut, w, gradInput)) JvmConv.backwardInput(pool, gradOut, w, p, gradInput);
        else super.conv2dBackwardInput(gradOut, w, p, gradInput);
    }

    @Override public void conv2dBackwardWeight(View gradOut, View x, ConvParams p, View gradWeight) {
        if (f32(gradOut, x, gradWeight) && dense(gradOut, x, gradWeight)) JvmConv.backwardWeight(pool, gradOut, x, p, gradWeight);
        else super.conv2dBackwardWeight(gradOut, x, p, gradWeight);
    }

    @Override public void batchNormStats(View x, View mean, View var) {
        if (f32(x, mean, var) && dense(x)) JvmBatchNorm.stats(pool, x, mean, var);
        else super.batchNormStats(x, mean, var);
    }

    @Override public void channelAffine(View x, View scale, View shift, boolean relu, View out) {
        if (f32(x, scale, shift, out) && dense(x, out)) JvmBatchNorm.affine(pool, x, scale, shift, relu, out);
        else super.channelAffine(x, scale, shift, relu, out);
    }

    @Override public void batchNormBackward(View gradOut, View reluOut, View x, View mean, View invstd, View scale, boolean training,
                                            View gradX, View gradWeight, View gradBias) {
        if (f32(gradOut, reluOut, x, mean, invstd, scale, gradX, gradWeight, gradBias) && dense(gradOut, reluOut, x, gradX)) {
            JvmBatchNorm.backward(pool, gradOut, reluOut, x, mean, invstd, scale, training, gradX, gradWeight, gradBias);
        } else {
            super.batchNormBackward(gradOut, reluOut, x, mean, invstd, scale, training, gradX, gradWeight, gradBias);
        }
    }

    @Override public void interpolate(View x, ResizeParams p, View out) {
        if (f32(x, out) && dense(x, out)) JvmResize.forward(pool, x, p, out);
        else super.interpolate(x, p, out);
    }

    @Override public void interpolateBackward(View gradOut, ResizeParams p, View gradInput) {
        if (f32(gradOut, gradInput) && dense(gradOut, gradInput)) JvmResize.backward(pool, gradOut, p, gradInput);
        else super.interpolateBackward(gradOut, p, gradInput);
    }

    @Override public void softmax(View x, View out, boolean log) {
        if (f32(x, out) && dense(x, out)) JvmNorm.softmax(pool, x, out, log);
        else super.softmax(x, out, log);
    }

    @Override public void layerNorm(View x, View w, View b, double eps, View out, View mean, View rstd) {
        if (f32(x, w, b, out, mean, rstd) && dense(x, out, mean, rstd)) JvmNorm.layerNorm(pool, x, w, b, (float) eps, out, mean, rstd);
        else super.layerNorm(x, w, b, eps, out, mean, rstd);
    }

    @Override public void layerNormBackward(View gy, View x, View w, View mean, View rstd, View gx, View gw, View gb) {
        if (f32(gy, x, w, mean, rstd, gx, gw, gb) && dense(gy, x, mean, rstd, gx, gw, gb)) {
            JvmNorm.layerNormBackward(pool, gy, x, w, mean, rstd, gx, gw, gb);
        } else {
            super.layerNormBackward(gy, x, w, mean, rstd, gx, gw, gb);
        }
    }

    @Override public void roiAlign(View features, View rois, RoiAlignParams p, View out) {
        if (f32(features, out) && dense(features, out)) JvmRoiAlign.forward(pool, features, rois, p, out);
        else super.roiAlign(features, rois, p, out);
    }

    @Override public void roiAlignBackward(View gradOut, View rois, RoiAlignParams p, View gradFeatures) {
        if (f32(gradOut, gradFeatures) && dense(gradOut, gradFeatures)) JvmRoiAlign.backward(pool, gradOut, rois, p, gradFeatures);
        else super.roiAlignBackward(gradOut, rois, p, gradFeatures);
    }
}
