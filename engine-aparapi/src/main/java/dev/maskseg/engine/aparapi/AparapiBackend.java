package dev.maskseg.engine.aparapi;

import com.aparapi.device.OpenCLDevice;
import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.ReduceOp;
import dev.maskseg.engine.backend.ResizeParams;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.ReferenceBackend;
import dev.maskseg.engine.storage.HostStorage;
import dev.maskseg.engine.storage.Storage;

import java.util.Arrays;
import java.util.logging.Logger;

import static dev.maskseg.engine.aparapi.EngineKernel.*;

/**
 * The accelerator backend: kernels written in Java ({@link EngineKernel}) that Aparapi compiles to
 * OpenCL. Tensors stay in device arenas ({@link DeviceArena}); only toHost/fromHost move data.
 * Every call is serialised on this object (one OpenCL queue). Linear algebra, convolution, pooling,
 * resizing and row ops are in {@link DeviceNn}; top-k runs on the host (logged once).
 */
final class AparapiBackend implements Backend {
    static final String NAME = "aparapi";
    private static final Logger LOG = Logger.getLogger(AparapiBackend.class.getName());

    final Launcher launcher;
    final DeviceArena arena;
    private final String device;
    private final DeviceNn nn;
    private final ReferenceBackend host = new ReferenceBackend("aparapi-host");
    private boolean toldTopk;

    AparapiBackend(OpenCLDevice dev, boolean allowJavaFallback, long maxBytes) {
        this.launcher = new Launcher(dev, allowJavaFallback);
        this.arena = new DeviceArena(launcher.k, 1 << 20, 1 << 16, maxBytes);
        this.device = DeviceInfo.describe(dev, allowJavaFallback);
        this.nn = new DeviceNn(this);
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

    // ---- pointwise ----

    @Override public synchronized void fill(View dst, double value) {
        arena.reclaim();
        launcher.strided(dst.shape(), dst);
        launcher.k.p1 = value;
        launcher.launch(OP_FILL, 0, dst.numel());
    }

    @Override public synchronized void copy(View src, View dst) {
        arena.reclaim();
        launcher.strided(dst.shape(), src, dst);
        launcher.launch(OP_COPY, 0, dst.numel());
    }

    @Override public synchronized void unary(UnaryOp op, double p1, double p2, View src, View dst) {
        arena.reclaim();
        launcher.strided(dst.shape(), src, dst);
        launcher.k.p1 = p1;
        launcher.k.p2 = p2;
        launcher.launch(OP_UNARY, op.ordinal(), dst.numel());
    }

    @Override public synchronized void binary(BinaryOp op, View a, View b, View dst) {
        arena.reclaim();
        launcher.strided(dst.shape(), a, b, dst);
        launcher.launch(OP_BINARY, op.ordinal(), dst.numel());
    }

    @Override public synchronized void where(View cond, View a, View b, View dst) {
        arena.reclaim();
        launcher.strided(dst.shape(), cond, a, b, dst);
        launcher.launch(OP_WHERE, 0, dst.numel());
    }

    // ---- reductions ----

    @Override public synchronized void reduce(ReduceOp op, View src, int reducedDims, View dst, View indices) {
        arena.reclaim();
        int r = src.rank(), outer = r - reducedDims;
        if (reducedDims > MAXR) throw new IllegalArgumentException("aparapi: reduce over " + reducedDims + " dims");
        int[] outerShape = Arrays.copyOfRange(src.shape(), 0, outer);
        int[] m = launcher.strided(outerShape, new View[]{src, dst},
                new int[][]{Arrays.copyOfRange(src.strides(), 0, outer), new int[outer]});
        int innerN = 1;
        m[EXTRA] = reducedDims;
        for (int i = 0; i < reducedDims; i++) {
            m[EXTRA + 1 + i] = src.shape()[outer + i];
            m[EXTRA + 1 + MAXR + i] = src.strides()[outer + i];
            innerN *= src.shape()[outer + i];
        }
        m[EXTRA + 1 + 2 * MAXR] = innerN;
        m[EXTRA + 2 + 2 * MAXR] = indices == null ? 0 : 1;
        m[EXTRA + 3 + 2 * MAXR] = indices == null ? 0 : Launcher.at(indices);
        launcher.launch(OP_REDUCE, op.ordinal(), dst.numel());
    }

    @Override public synchronized void topk(View src, int k, boolean largest, View values, View indices) {
        arena.reclaim();
        if (!toldTopk) {
            LOG.info("aparapi: topk runs on the host (download, sort, upload)");
            toldTopk = true;
        }
        View hs = new View(toHost(src.storage()), src.offset(), src.shape(), src.strides());
        HostStorage hv = HostStorage.allocate(values.dtype(), values.numel());
        HostStorage hi = HostStorage.allocate(indices.dtype(), indices.numel());
        host.topk(hs, k, largest, new View(hv, 0, values.shape(), View.contiguousStrides(values.shape())),
                new View(hi, 0, indices.shape(), View.contiguousStrides(indices.shape())));
        upload(hv, 0, Launcher.at(values), hv.length());
        upload(hi, 0, Launcher.at(indices), hi.length());
    }

    // ---- linear algebra, convolution, row ops, pooling, resizing ----

    @Override public synchronized void matmul(View a, View b, View dst) { arena.reclaim(); nn.matmul(a, b, dst); }

    @Override public synchronized void conv2d(View x, View weight, View bias, ConvParams p, View out) {
        arena.reclaim();
        nn.conv2d(x, weight, bias, p, out);
    }

    @Override public synchronized void conv2dBackwardInput(View gradOut, View weight, ConvParams p, View gradInput) {
        arena.reclaim();
        nn.conv2dBackwardInput(gradOut, weight, p, gradInput);
    }

    @Override public synchronized void conv2dBackwardWeight(View gradOut, View x, ConvParams p, View gradWeight) {
        arena.reclaim();
        nn.conv2dBackwardWeight(gradOut, x, p, gradWeight);
    }

    @Override public synchronized void softmax(View x, View out, boolean log) { arena.reclaim(); nn.softmax(x, out, log); }

    @Override public synchronized void layerNorm(View x, View weight, View bias, double eps, View out, View mean, View rstd) {
        arena.reclaim();
        nn.layerNorm(x, weight, bias, eps, out, mean, rstd);
    }

    @Override public synchronized void layerNormBackward(View gradOut, View x, View weight, View mean, View rstd,
                                                         View gradX, View gradWeight, View gradBias) {
        arena.reclaim();
        nn.layerNormBackward(gradOut, x, weight, mean, rstd, gradX, gradWeight, gradBias);
    }

    @Override public synchronized void maxPool2d(View x, PoolParams p, View out, View indices) {
        arena.reclaim();
        nn.maxPool2d(x, p, out, indices);
    }

    @Override public synchronized void maxPool2dBackward(View gradOut, View indices, View gradInput) {
        arena.reclaim();
        nn.maxPool2dBackward(gradOut, indices, gradInput);
    }

    @Override public synchronized void avgPool2d(View x, PoolParams p, View out) { arena.reclaim(); nn.avgPool2d(x, p, out, false); }

    @Override public synchronized void avgPool2dBackward(View gradOut, PoolParams p, View gradInput) {
        arena.reclaim();
        nn.avgPool2d(gradOut, p, gradInput, true);
    }

    @Override public synchronized void adaptiveAvgPool2d(View x, View out) { arena.reclaim(); nn.adaptive(x, out, false); }

    @Override public synchronized void adaptiveAvgPool2dBackward(View gradOut, View gradInput) {
        arena.reclaim();
        nn.adaptive(gradInput, gradOut, true);
    }

    @Override public synchronized void interpolate(View x, ResizeParams p, View out) { arena.reclaim(); nn.resize(x, p, out, false); }

    @Override public synchronized void interpolateBackward(View gradOut, ResizeParams p, View gradInput) {
        arena.reclaim();
        nn.resize(gradInput, p, gradOut, true);
    }

    // ---- indexing ----

    /** EXTRA block: the view addressed through an index (offset, dtype, dim, size, strides). */
    private void extra(int[] m, View other, int dim) {
        m[EXTRA] = Launcher.at(other);
        m[EXTRA + 1] = AparapiStorage.code(other.dtype());
        m[EXTRA + 2] = dim;
        m[EXTRA + 3] = other.shape()[dim];
        for (int i = 0; i < other.rank(); i++) m[EXTRA + 4 + i] = other.strides()[i];
    }

    private static int[] withDimOne(int[] shape, int dim) {
        int[] s = shape.clone();
        s[dim] = 1;
        return s;
    }

    @Override public synchronized void gather(View src, int dim, View index, View out) {
        arena.reclaim();
        int[] m = launcher.strided(index.shape(), index, out);
        extra(m, src, dim);
        launcher.launch(OP_GATHER, 0, index.numel());
        launcher.checkIndexError("gather", dim, src.shape()[dim]);
    }

    @Override public synchronized void scatterAdd(View dst, int dim, View index, View src) {
        arena.reclaim();
        if (index.numel() == 0) return;
        int[] line = withDimOne(index.shape(), dim);
        int[] m = launcher.strided(line, index, src);
        extra(m, dst, dim);
        m[EXTRA + 14] = index.shape()[dim];
        launcher.launch(OP_SCATTER_ADD, 0, index.numel() / index.shape()[dim]);
        launcher.checkIndexError("scatter_add", dim, dst.shape()[dim]);
    }

    @Override public synchronized void indexSelect(View src, int dim, View index, View out) {
        arena.reclaim();
        int[] m = launcher.strided(out.shape(), out);
        extra(m, src, dim);
        m[EXTRA + 12] = Launcher.at(index);
        m[EXTRA + 13] = index.strides()[0];
        launcher.launch(OP_INDEX_SELECT, 0, out.numel());
        launcher.checkIndexError("index_select", dim, src.shape()[dim]);
    }

    @Override public synchronized void indexAdd(View dst, int dim, View index, View src) {
        arena.reclaim();
        if (src.numel() == 0) return;
        int[] m = launcher.strided(withDimOne(src.shape(), dim), src);
        extra(m, dst, dim);
        m[EXTRA + 12] = Launcher.at(index);
        m[EXTRA + 13] = index.strides()[0];
        m[EXTRA + 14] = src.shape()[dim];
        m[EXTRA + 15] = src.strides()[dim];
        launcher.launch(OP_INDEX_ADD, 0, src.numel() / src.shape()[dim]);
        launcher.checkIndexError("index_add", dim, dst.shape()[dim]);
    }
}
