package dev.maskseg.engine.tornado;

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
 * The SPI's ops mapped onto the op families' device launches, without locking or fallback (those are
 * {@link TornadoBackend}'s, which calls this with its lock held). Memory calls go back to the backend.
 */
final class DeviceFamilies implements Backend {
    private final TornadoBackend be;
    final TornadoPointwise pointwise;
    private final TornadoReduce reduce;
    private final TornadoLinAlg linAlg;
    private final TornadoConv conv;
    private final TornadoNorm norm;
    private final TornadoPool pool;
    private final TornadoResize resize;
    private final TornadoRoiAlign roiAlign;
    private final TornadoIndex index;

    DeviceFamilies(TornadoBackend be, DeviceArena arena, TornadoLinAlg.Gemm gemm) {
        this.be = be;
        this.pointwise = new TornadoPointwise(arena);
        this.reduce = new TornadoReduce(arena);
        this.linAlg = new TornadoLinAlg(arena, gemm, pointwise);
        this.conv = new TornadoConv(arena, linAlg, pointwise);
        this.norm = new TornadoNorm(arena);
        this.pool = new TornadoPool(arena);
        this.resize = new TornadoResize(arena);
        this.roiAlign = new TornadoRoiAlign(arena, v -> be.toHost(v.storage()));
        this.index = new TornadoIndex(arena);
    }

    @Override public String name() { return be.name(); }

    @Override public String device() { return be.device(); }

    @Override public Storage allocate(DType dtype, int length) { return be.allocate(dtype, length); }

    @Override public HostStorage toHost(Storage storage) { return be.toHost(storage); }

    @Override public Storage fromHost(HostStorage host) { return be.fromHost(host); }

    @Override public void fill(View dst, double value) { pointwise.fill(dst, value); }

    @Override public void copy(View src, View dst) { pointwise.copy(src, dst); }

    @Override public void unary(UnaryOp op, double p1, double p2, View src, View dst) { pointwise.unary(op, p1, p2, src, dst); }

    @Override public void binary(BinaryOp op, View a, View b, View dst) { pointwise.binary(op, a, b, dst); }

    @Override public void where(View cond, View a, View b, View dst) { pointwise.where(cond, a, b, dst); }

    @Override public void reduce(ReduceOp op, View src, int reducedDims, View dst, View indices) {
        reduce.reduce(op, src, reducedDims, dst, indices);
    }

    @Override public void topk(View src, int k, boolean largest, View values, View indices) { reduce.topk(src, k, largest, values, indices); }

    @Override public void matmul(View a, View b, View dst) { linAlg.matmul(a, b, dst); }

    @Override public void conv2d(View x, View weight, View bias, ConvParams p, View out) { conv.conv2d(x, weight, bias, p, out); }

    @Override public void conv2dBackwardInput(View gradOut, View weight, ConvParams p, View gradInput) {
        conv.conv2dBackwardInput(gradOut, weight, p, gradInput);
    }

    @Override public void conv2dBackwardWeight(View gradOut, View x, ConvParams p, View gradWeight) {
        conv.conv2dBackwardWeight(gradOut, x, p, gradWeight);
    }

    @Override public void softmax(View x, View out, boolean log) { norm.softmax(x, out, log); }

    @Override public void layerNorm(View x, View weight, View bias, double eps, View out, View mean, View rstd) {
        norm.layerNorm(x, weight, bias, eps, out, mean, rstd);
    }

    @Override public void layerNormBackward(View gradOut, View x, View weight, View mean, View rstd,
                                            View gradX, View gradWeight, View gradBias) {
        norm.layerNormBackward(gradOut, x, weight, mean, rstd, gradX, gradWeight, gradBias);
    }

    @Override public void maxPool2d(View x, PoolParams p, View out, View indices) { pool.maxPool2d(x, p, out, indices); }

    @Override public void avgPool2d(View x, PoolParams p, View out) { pool.avgPool2d(x, p, out); }

    @Override public void avgPool2dBackward(View gradOut, PoolParams p, View gradInput) { pool.avgPool2dBackward(gradOut, p, gradInput); }

    @Override public void adaptiveAvgPool2d(View x, View out) { pool.adaptiveAvgPool2d(x, out); }

    @Override public void adaptiveAvgPool2dBackward(View gradOut, View gradInput) { pool.adaptiveAvgPool2dBackward(gradOut, gradInput); }

    @Override public void interpolate(View x, ResizeParams p, View out) { resize.interpolate(x, p, out); }

    @Override public void interpolateBackward(View gradOut, ResizeParams p, View gradInput) {
        resize.interpolateBackward(gradOut, p, gradInput);
    }

    @Override public void roiAlign(View features, View rois, RoiAlignParams p, View out) { roiAlign.roiAlign(features, rois, p, out); }

    @Override public void roiAlignBackward(View gradOut, View rois, RoiAlignParams p, View gradFeatures) {
        roiAlign.roiAlignBackward(gradOut, rois, p, gradFeatures);
    }

    @Override public void gather(View src, int dim, View idx, View out) { index.gather(src, dim, idx, out); }

    @Override public void scatterAdd(View dst, int dim, View idx, View src) { index.scatterAdd(dst, dim, idx, src); }
}
