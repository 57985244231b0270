package dev.maskseg.engine.aparapi;

import com.aparapi.device.OpenCLDevice;
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

import static dev.maskseg.engine.aparapi.ArenaKernel.*;

/**
 * The accelerator backend: kernels written in Java ({@link EngineKernel}) that Aparapi compiles to OpenCL. Tensors
 * stay in device arenas ({@link DeviceArena}); only toHost/fromHost move data. Every call is serialised on this object
 * (one OpenCL queue) and handed to its op family, named as the family's ops and reference kernels: host side
 * {@link AparapiPointwise}, {@link AparapiReduce}, {@link AparapiLinAlg}, {@link AparapiConv}, {@link AparapiNorm},
 * {@link AparapiPool}, {@link AparapiResize}, {@link AparapiIndex}, {@link AparapiRoiAlign}; device side the matching {@code Aparapi*Kernel}.
 */
final class AparapiBackend implements Backend {
    static final String NAME = "aparapi";

    final Launcher launcher;
    final DeviceArena arena;
    private final String device;
    private final AparapiPointwise pointwise;
    private final AparapiReduce reduce;
    private final AparapiLinAlg linAlg;
    private final AparapiConv conv;
    private final AparapiNorm norm;
    private final AparapiPool pool;
    private final AparapiResize resize;
    private final AparapiIndex index;
    private final AparapiRoiAlign roiAlign;

    AparapiBackend(OpenCLDevice dev, boolean allowJavaFallback, long maxBytes) {
        this.launcher = new Launcher(dev, allowJavaFallback);
        this.arena = new DeviceArena(launcher.k, 1 << 20, 1 << 16, maxBytes);
        this.device = DeviceInfo.describe(dev, allowJavaFallback);
        this.pointwise = new AparapiPointwise(this);
        this.reduce = new AparapiReduce(this);
        this.linAlg = new AparapiLinAlg(this);
        this.conv = new AparapiConv(this, linAlg);
        this.norm = new AparapiNorm(this);
        this.pool = new AparapiPool(this);
        this.resize = new AparapiResize(this);
        this.index = new AparapiIndex(this);
        this.roiAlign = new AparapiRoiAlign(this);
    }

    @Override public String name() { return NAME; }

    @Override public String device() { return device; }

    @Override public synchronized Storage allocate(DType dtype, int length) {
        arena.reclaim();
        return zeroed(dtype, length);
    }

    /** A zero-filled device block; callable inside an op (never reclaims). */
    AparapiStorage zeroed(DType dtype, int length) {
        AparapiStorage s = arena.allocate(dtype, length);
        View v = new View(s, 0, new int[]{length}, new int[]{1});
        launcher.strided(v.shape(), v);
        launcher.k.p1 = 0;
        launcher.launch(OP_FILL, 0, length);
        return s;
    }

    @Override public synchronized HostStorage toHost(Storage storage) {
        AparapiStorage s = device(storage);
        HostStorage h = HostStorage.allocate(s.dtype(), s.length());
        int n = s.length();
        if (n == 0) return h;
        EngineKernel k = launcher.k;
        launcher.meta()[0] = s.offset;
        if (s.inFloatArena()) {
            if (k.fs.length < n) k.fs = new float[stagingSize(n)];
            launcher.launch(OP_STAGE_OUT, 0, n);
            k.get(k.fs);
            System.arraycopy(k.fs, 0, ((HostStorage.F32) h).data, 0, n);
        } else {
            if (k.ds.length < n) k.ds = new double[stagingSize(n)];
            launcher.launch(OP_STAGE_OUT, 1, n);
            k.get(k.ds);
            if (h instanceof HostStorage.I64 l) for (int i = 0; i < n; i++) l.data[i] = (long) k.ds[i];
            else for (int i = 0; i < n; i++) h.set(i, k.ds[i]);
        }
        return h;
    }

    @Override public synchronized Storage fromHost(HostStorage h) {
        arena.reclaim();
        AparapiStorage s = arena.allocate(h.dtype(), h.length());
        upload(h, 0, s.offset, h.length());
        return s;
    }

    /** Copies host elements [from, from+n) to arena position `to` of the host storage's dtype. */
    void upload(HostStorage h, int from, int to, int n) {
        if (n == 0) return;
        EngineKernel k = launcher.k;
        if (h.dtype() == DType.FLOAT32) {
            if (k.fs.length < n) k.fs = new float[stagingSize(n)];
            System.arraycopy(((HostStorage.F32) h).data, from, k.fs, 0, n);
            k.put(k.fs);
            launcher.meta()[0] = to;
            launcher.launch(OP_STAGE_IN, 0, n);
        } else {
            if (k.ds.length < n) k.ds = new double[stagingSize(n)];
            for (int i = 0; i < n; i++) k.ds[i] = h instanceof HostStorage.I64 l ? l.data[from + i] : h.get(from + i);
            k.put(k.ds);
            launcher.meta()[0] = to;
            launcher.launch(OP_STAGE_IN, 1, n);
        }
    }

    /** Staging buffers grow in powers of two so that their device buffers are rarely recreated. */
    private static int stagingSize(int n) { return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1; }

    private static AparapiStorage device(Storage s) {
        if (s instanceof AparapiStorage a) return a;
        throw new IllegalArgumentException("backend aparapi cannot read storage of backend " + s.backendName());
    }

    // ---- every op: reclaim dead tensors' ranges, then the op's family ----

    @Override public synchronized void fill(View dst, double value) { arena.reclaim(); pointwise.fill(dst, value); }

    @Override public synchronized void copy(View src, View dst) { arena.reclaim(); pointwise.copy(src, dst); }

    @Override public synchronized void unary(UnaryOp op, double p1, double p2, View src, View dst) {
        arena.reclaim();
        pointwise.unary(op, p1, p2, src, dst);
    }

    @Override public synchronized void binary(BinaryOp op, View a, View b, View dst) { arena.reclaim(); pointwise.binary(op, a, b, dst); }

    @Override public synchronized void where(View cond, View a, View b, View dst) { arena.reclaim(); pointwise.where(cond, a, b, dst); }

    @Override public synchronized void reduce(ReduceOp op, View src, int reducedDims, View dst, View indices) {
        arena.reclaim();
        reduce.reduce(op, src, reducedDims, dst, indices);
    }

    @Override public synchronized void topk(View src, int k, boolean largest, View values, View indices) {
        arena.reclaim();
        reduce.topk(src, k, largest, values, indices);
    }

    @Override public synchronized void matmul(View a, View b, View dst) { arena.reclaim(); linAlg.matmul(a, b, dst); }

    @Override public synchronized void conv2d(View x, View weight, View bias, ConvParams p, View out) {
        arena.reclaim();
        conv.conv2d(x, weight, bias, p, out);
    }

    @Override public synchronized void conv2dBackwardInput(View gradOut, View weight, ConvParams p, View gradInput) {
        arena.reclaim();
        conv.conv2dBackwardInput(gradOut, weight, p, gradInput);
    }

    @Override public synchronized void conv2dBackwardWeight(View gradOut, View x, ConvParams p, View gradWeight) {
        arena.reclaim();
        conv.conv2dBackwardWeight(gradOut, x, p, gradWeight);
    }

    @Override public synchronized void softmax(View x, View out, boolean log) { arena.reclaim(); norm.softmax(x, out, log); }

    @Override public synchronized void layerNorm(View x, View weight, View bias, double eps, View out, View mean, View rstd) {
        arena.reclaim();
        norm.layerNorm(x, weight, bias, eps, out, mean, rstd);
    }

    @Override public synchronized void layerNormBackward(View gradOut, View x, View weight, View mean, View rstd,
                                                         View gradX, View gradWeight, View gradBias) {
        arena.reclaim();
        norm.layerNormBackward(gradOut, x, weight, mean, rstd, gradX, gradWeight, gradBias);
    }

    @Override public synchronized void maxPool2d(View x, PoolParams p, View out, View indices) {
        arena.reclaim();
        pool.maxPool2d(x, p, out, indices);
    }

    @Override public synchronized void avgPool2d(View x, PoolParams p, View out) { arena.reclaim(); pool.avgPool2d(x, p, out, false); }

    @Override public synchronized void avgPool2dBackward(View gradOut, PoolParams p, View gradInput) {
        arena.reclaim();
        pool.avgPool2d(gradOut, p, gradInput, true);
    }

    @Override public synchronized void adaptiveAvgPool2d(View x, View out) { arena.reclaim(); pool.adaptive(x, out, false); }

    @Override public synchronized void adaptiveAvgPool2dBackward(View gradOut, View gradInput) {
        arena.reclaim();
        pool.adaptive(gradInput, gradOut, true);
    }

    @Override public synchronized void interpolate(View x, ResizeParams p, View out) { arena.reclaim(); resize.resize(x, p, out, false); }

    @Override public synchronized void interpolateBackward(View gradOut, ResizeParams p, View gradInput) {
        arena.reclaim();
        resize.resize(gradInput, p, gradOut, true);
    }

    @Override public synchronized void gather(View src, int dim, View index, View out) {
        arena.reclaim();
        this.index.gather(src, dim, index, out);
    }

    @Override public synchronized void scatterAdd(View dst, int dim, View index, View src) {
        arena.reclaim();
        this.index.scatterAdd(dst, dim, index, src);
    }

    @Override public synchronized void roiAlign(View features, View rois, RoiAlignParams p, View out) {
        arena.reclaim();
        roiAlign.run(features, rois, p, out, false);
    }

    @Override public synchronized void roiAlignBackward(View gradOut, View rois, RoiAlignParams p, View gradFeatures) {
        arena.reclaim();
        roiAlign.run(gradFeatures, rois, p, gradOut, true);
    }
}
