package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.ReduceOp;
import dev.maskseg.engine.backend.ResizeParams;
import dev.maskseg.engine.backend.RoiAlignParams;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;
import dev.maskseg.engine.storage.Storage;

/**
 * The reference backend: storages on the JVM heap and scalar kernels that accumulate in double, one class per op
 * family, named as the ops of that family ({@code ops/Conv} → {@link RefConv}): RefPointwise, RefReduce, RefLinAlg,
 * RefConv, RefNorm, RefPool, RefResize, RefIndex, RefRoiAlign. Faster host backends extend this class and override what they
 * accelerate, so any op they leave alone still works (and parity tests compare the overrides against these bodies).
 */
public class ReferenceBackend implements Backend {
    private final String name;

    public ReferenceBackend(String name) { this.name = name; }

    @Override public String name() { return name; }

    @Override public String device() { return "CPU (scalar reference kernels, 1 thread)"; }

    @Override public int threads() { return 1; }

    @Override public Storage allocate(DType dtype, int length) { return HostStorage.allocate(dtype, length); }

    @Override public Storage allocateUninitialized(DType dtype, int length) { return HostStorage.allocateUninitialized(dtype, length); }

    @Override public HostStorage toHost(Storage storage) {
        if (storage instanceof HostStorage hs) return hs;
        throw new IllegalArgumentException("backend " + name + " cannot read storage of backend " + storage.backendName());
    }

    @Override public Storage fromHost(HostStorage host) { return host; }

    @Override public void fill(View dst, double value) { RefPointwise.fill(dst, value); }

    @Override public void copy(View src, View dst) { RefPointwise.copy(src, dst); }

    @Override public void unary(UnaryOp op, double p1, double p2, View src, View dst) { RefPointwise.unary(op, p1, p2, src, dst); }

    @Override public void binary(BinaryOp op, View a, View b, View dst) { RefPointwise.binary(op, a, b, dst); }

    @Override public void where(View cond, View a, View b, View dst) { RefPointwise.where(cond, a, b, dst); }

    @Override public void reduce(ReduceOp op, View src, int reducedDims, View dst, View indices) {
        RefReduce.reduce(op, src, reducedDims, dst, indices);
    }

    @Override public void topk(View src, int k, boolean largest, View values, View indices) {
        RefReduce.topk(src, k, largest, values, indices);
    }

    @Override public void matmul(View a, View b, View dst) { RefLinAlg.matmul(a, b, dst); }

    @Override public void conv2d(View x, View weight, View bias, ConvParams p, View out) { RefConv.conv2d(x, weight, bias, p, out); }

    @Override public void conv2dBackwardInput(View gradOut, View weight, ConvParams p, View gradInput) {
        RefConv.conv2dBackwardInput(gradOut, weight, p, gradInput);
    }

    @Override public void conv2dBackwardWeight(View gradOut, View x, ConvParams p, View gradWeight) {
        RefConv.conv2dBackwardWeight(gradOut, x, p, gradWeight);
    }

    @Override public void softmax(View x, View out, boolean log) { RefNorm.softmax(x, out, log); }

    @Override public void layerNorm(View x, View weight, View bias, double eps, View out, View mean, View rstd) {
        RefNorm.layerNorm(x, weight, bias, eps, out, mean, rstd);
    }

    @Override public void layerNormBackward(View gradOut, View x, View weight, View mean, View rstd,
                                            View gradX, View gradWeight, View gradBias) {
        RefNorm.layerNormBackward(gradOut, x, weight, mean, rstd, gradX, gradWeight, gradBias);
    }

    @Override public void batchNormStats(View x, View mean, View var) { RefNorm.batchNormStats(x, mean, var); }

    @Override public void channelAffine(View x, View scale, View shift, boolean relu, View out) {
        RefNorm.channelAffine(x, scale, shift, relu, out);
    }

    @Override public void batchNormBackward(View gradOut, View reluOut, View x, View mean, View invstd, View scale, boolean training,
                                            View gradX, View gradWeight, View gradBias) {
        RefNorm.batchNormBackward(gradOut, reluOut, x, mean, invstd, scale, training, gradX, gradWeight, gradBias);
    }

    @Override public void maxPool2d(View x, PoolParams p, View out, View indices) { RefPool.maxPool2d(x, p, out, indices); }

    @Override public void avgPool2d(View x, PoolParams p, View out) { RefPool.avgPool2d(x, p, out); }

    @Override public void avgPool2dBackward(View gradOut, PoolParams p, View gradInput) {
        RefPool.avgPool2dBackward(gradOut, p, gradInput);
    }

    @Override public void adaptiveAvgPool2d(View x, View out) { RefPool.adaptiveAvgPool2d(x, out, null, null); }

    @Override public void adaptiveAvgPool2dBackward(View gradOut, View gradInput) {
        RefPool.adaptiveAvgPool2d(null, null, gradOut, gradInput);
    }

    @Override public void interpolate(View x, ResizeParams p, View out) { RefResize.resize(x, p, out, false); }

    @Override public void interpolateBackward(View gradOut, ResizeParams p, View gradInput) {
        RefResize.resize(gradInput, p, gradOut, true);
    }

    @Override public void roiAlign(View features, View rois, RoiAlignParams p, View out) {
        RefRoiAlign.run(features, rois, p, out, false);
    }

    @Override public void roiAlignBackward(View gradOut, View rois, RoiAlignParams p, View gradFeatures) {
        RefRoiAlign.run(gradFeatures, rois, p, gradOut, true);
    }

    @Override public void gather(View src, int dim, View index, View out) { RefIndex.gather(src, dim, index, out); }

    @Override public void scatterAdd(View dst, int dim, View index, View src) { RefIndex.scatterAdd(dst, dim, index, src); }
}
