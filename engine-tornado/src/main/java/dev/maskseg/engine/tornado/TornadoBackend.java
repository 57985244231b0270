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

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The TornadoVM backend: every op is a KernelContext kernel written in Java that TornadoVM compiles to OpenCL, grouped
 * in families named as the engine's ops and reference kernels (host side {@link TornadoPointwise}, {@link TornadoReduce},
 * {@link TornadoLinAlg}, {@link TornadoConv}, {@link TornadoNorm}, {@link TornadoPool}, {@link TornadoResize},
 * {@link TornadoRoiAlign}, {@link TornadoIndex}; device side the matching {@code Tornado*Kernel}). Tensors stay in two device arenas
 * ({@link DeviceArena}) shared by every kernel of one execution plan ({@link KernelPlan}); only toHost/fromHost move
 * data. Calls are serialised on this object.
 *
 * <p>No silent fallback: a kernel TornadoVM cannot compile for the device is an error naming the op and its shapes,
 * unless {@code -Dmaskseg.tornado.allowJavaFallback=true}, which runs that op on the host reference kernels instead
 * (logged, and listed by {@link #hostOps()}).
 */
final class TornadoBackend implements Backend {
    static final String NAME = "tornado";
    private static final Logger LOG = Logger.getLogger(TornadoBackend.class.getName());

    /**
     * How an instance is made: initial arena sizes (elements), the per-arena byte limit, whether a failing kernel's op
     * may run on the host, whether launches are profiled (device kernel time per kernel, {@link #kernelStats()}), and
     * the GEMM kernel, and the largest work-group of a row reduction (a GPU wants many work-items per row; PoCL runs
     * a work-group as a loop split at every barrier, so fewer are faster there).
     */
    record Settings(int floatCapacity, int doubleCapacity, long maxArenaBytes, boolean allowJavaFallback, boolean profile,
                    TornadoLinAlg.Gemm gemm, int reductionGroup) {}

    /** An SPI call, run on the device families or, as a fallback, on the host reference backend with host views. */
    private interface Call {
        void on(Backend be, View[] views);
    }

    final DeviceArena arena;
    final KernelStats stats = new KernelStats();
    private final TornadoDevices.Info info;
    private final Settings settings;
    private final DeviceFamilies device;
    private final HostFallback fallback;

    private TornadoBackend(TornadoDevices.Info info, Settings settings) {
        this.info = info;
        this.settings = settings;
        this.arena = new DeviceArena(TornadoDevices.device(info), settings.floatCapacity(), settings.doubleCapacity(),
                settings.maxArenaBytes(), settings.profile(), stats, settings.reductionGroup());
        this.device = new DeviceFamilies(this, arena, settings.gemm());
        this.fallback = new HostFallback(this);
        LOG.info(() -> "tornado: " + info.describe() + "; every op runs as a TornadoVM kernel (GEMM: "
                + settings.gemm().name().toLowerCase() + ")"
                + (settings.allowJavaFallback() ? " (ops whose kernel fails to compile run on the host: -D"
                + TornadoBackendProvider.ALLOW_FALLBACK + ")" : ""));
    }

    static TornadoBackend create(TornadoDevices.Info info, Settings settings) { return new TornadoBackend(info, settings); }

    @Override public String name() { return NAME; }

    @Override public String device() {
        return info.describe() + (settings.allowJavaFallback() ? " [host fallback allowed]" : "");
    }

    TornadoDevices.Info info() { return info; }

    /** The ops that ran on the host because their kernel failed to compile (empty unless the fallback is allowed). */
    synchronized Set<String> hostOps() { return new TreeSet<>(fallback.ops()); }

    /** Launches (and with profiling, device time) per kernel so far. */
    Map<Kernel, KernelStats.Totals> kernelStats() { return stats.snapshot(); }

    synchronized String memoryUsage() { return arena.usage(); }

    synchronized long bytesInUse() { return arena.bytesInUse(); }

    /** The device TornadoVM reports for the plan's last launch. */
    synchronized uk.ac.manchester.tornado.api.common.TornadoDevice lastDevice() { return arena.plan().device(); }

    @Override public synchronized Storage allocate(DType dtype, int length) {
        arena.reclaim();
        TornadoStorage s = arena.allocate(dtype, length);
        device.pointwise.zero(new View(s, 0, new int[]{length}, new int[]{1}));
        return s;
    }

    @Override public synchronized HostStorage toHost(Storage storage) {
        TornadoStorage s = device(storage);
        int n = s.length();
        if (s.inFloatArena()) {
            float[] data = new float[n];
            arena.plan().download(s.offset, n, data);
            return new HostStorage.F32(data);
        }
        double[] data = new double[n];
        arena.plan().download(s.offset, n, data);
        HostStorage h = HostStorage.allocate(s.dtype(), n);
        if (h instanceof HostStorage.I64 l) for (int i = 0; i < n; i++) l.data[i] = (long) data[i];
        else if (h instanceof HostStorage.F64 dd) System.arraycopy(data, 0, dd.data, 0, n);
        else for (int i = 0; i < n; i++) h.set(i, data[i]);
        return h;
    }

    @Override public synchronized Storage fromHost(HostStorage h) {
        arena.reclaim();
        TornadoStorage s = arena.allocate(h.dtype(), h.length());
        upload(h, s);
        return s;
    }

    /** Copies a host storage into a device block of the same length and dtype. */
    void upload(HostStorage h, TornadoStorage s) {
        int n = h.length();
        if (n == 0) return;
        if (h instanceof HostStorage.F32 fs) {
            arena.plan().upload(fs.data, 0, s.offset, n);
            return;
        }
        double[] data;
        if (h instanceof HostStorage.F64 ds) data = ds.data;
        else {
            data = new double[n];
            for (int i = 0; i < n; i++) data[i] = h instanceof HostStorage.I64 l ? l.data[i] : h.get(i);
        }
        arena.plan().upload(data, 0, s.offset, n);
    }

    static TornadoStorage device(Storage s) {
        if (s instanceof TornadoStorage t) return t;
        throw new IllegalArgumentException("backend tornado cannot read storage of backend " + s.backendName());
    }

    /** Reclaims dead tensors' ranges, then runs the call on the device; a kernel that fails to compile is handled here. */
    private synchronized void run(String op, Call call, View... views) {
        arena.reclaim();
        try {
            call.on(device, views);
        } catch (KernelPlan.KernelCompileException e) {
            String what = "tornado: " + op + " (" + shapes(views) + "): kernel " + e.kernel.graphName()
                    + " did not compile for " + info.name() + ": " + e.getMessage();
            if (!settings.allowJavaFallback()) {
                throw new IllegalStateException(what + "; pass -D" + TornadoBackendProvider.ALLOW_FALLBACK
                        + "=true to run this op on the host reference kernels instead", e);
            }
            fallback.run(op, what, (be, hostViews) -> call.on(be, hostViews), views);
        }
    }

    private static String shapes(View[] views) {
        return Arrays.stream(views).map(v -> v == null ? "-" : v.dtype().name().toLowerCase() + Arrays.toString(v.shape()))
                .collect(Collectors.joining(", "));
    }

    @Override public void fill(View dst, double value) { run("fill", (be, v) -> be.fill(v[0], value), dst); }

    @Override public void copy(View src, View dst) { run("copy", (be, v) -> be.copy(v[0], v[1]), src, dst); }

    @Override public void unary(UnaryOp op, double p1, double p2, View src, View dst) {
        run(op.name().toLowerCase(), (be, v) -> be.unary(op, p1, p2, v[0], v[1]), src, dst);
    }

    @Override public void binary(BinaryOp op, View a, View b, View dst) {
        run(op.name().toLowerCase(), (be, v) -> be.binary(op, v[0], v[1], v[2]), a, b, dst);
    }

    @Override public void where(View cond, View a, View b, View dst) {
        run("where", (be, v) -> be.where(v[0], v[1], v[2], v[3]), cond, a, b, dst);
    }

    @Override public void reduce(ReduceOp op, View src, int reducedDims, View dst, View indices) {
        run("reduce " + op.name().toLowerCase(), (be, v) -> be.reduce(op, v[0], reducedDims, v[1], v[2]), src, dst, indices);
    }

    @Override public void topk(View src, int k, boolean largest, View values, View indices) {
        run("topk", (be, v) -> be.topk(v[0], k, largest, v[1], v[2]), src, values, indices);
    }

    @Override public void matmul(View a, View b, View dst) { run("matmul", (be, v) -> be.matmul(v[0], v[1], v[2]), a, b, dst); }

    @Override public void conv2d(View x, View weight, View bias, ConvParams p, View out) {
        run("conv2d", (be, v) -> be.conv2d(v[0], v[1], v[2], p, v[3]), x, weight, bias, out);
    }

    @Override public void conv2dBackwardInput(View gradOut, View weight, ConvParams p, View gradInput) {
        run("conv2d backward (input)", (be, v) -> be.conv2dBackwardInput(v[0], v[1], p, v[2]), gradOut, weight, gradInput);
    }

    @Override public void conv2dBackwardWeight(View gradOut, View x, ConvParams p, View gradWeight) {
        run("conv2d backward (weight)", (be, v) -> be.conv2dBackwardWeight(v[0], v[1], p, v[2]), gradOut, x, gradWeight);
    }

    @Override public void softmax(View x, View out, boolean log) {
        run(log ? "log_softmax" : "softmax", (be, v) -> be.softmax(v[0], v[1], log), x, out);
    }

    @Override public void layerNorm(View x, View weight, View bias, double eps, View out, View mean, View rstd) {
        run("layer_norm", (be, v) -> be.layerNorm(v[0], v[1], v[2], eps, v[3], v[4], v[5]), x, weight, bias, out, mean, rstd);
    }

    @Override public void layerNormBackward(View gradOut, View x, View weight, View mean, View rstd,
                                            View gradX, View gradWeight, View gradBias) {
        run("layer_norm backward", (be, v) -> be.layerNormBackward(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]),
                gradOut, x, weight, mean, rstd, gradX, gradWeight, gradBias);
    }

    @Override public void maxPool2d(View x, PoolParams p, View out, View indices) {
        run("max_pool2d", (be, v) -> be.maxPool2d(v[0], p, v[1], v[2]), x, out, indices);
    }

    @Override public void avgPool2d(View x, PoolParams p, View out) { run("avg_pool2d", (be, v) -> be.avgPool2d(v[0], p, v[1]), x, out); }

    @Override public void avgPool2dBackward(View gradOut, PoolParams p, View gradInput) {
        run("avg_pool2d backward", (be, v) -> be.avgPool2dBackward(v[0], p, v[1]), gradOut, gradInput);
    }

    @Override public void adaptiveAvgPool2d(View x, View out) {
        run("adaptive_avg_pool2d", (be, v) -> be.adaptiveAvgPool2d(v[0], v[1]), x, out);
    }

    @Override public void adaptiveAvgPool2dBackward(View gradOut, View gradInput) {
        run("adaptive_avg_pool2d backward", (be, v) -> be.adaptiveAvgPool2dBackward(v[0], v[1]), gradOut, gradInput);
    }

    @Override public void interpolate(View x, ResizeParams p, View out) {
        run("interpolate " + p.mode().name().toLowerCase(), (be, v) -> be.interpolate(v[0], p, v[1]), x, out);
    }

    @Override public void interpolateBackward(View gradOut, ResizeParams p, View gradInput) {
        run("interpolate backward " + p.mode().name().toLowerCase(), (be, v) -> be.interpolateBackward(v[0], p, v[1]), gradOut, gradInput);
    }

    @Override public void roiAlign(View features, View rois, RoiAlignParams p, View out) {
        run("roi_align", (be, v) -> be.roiAlign(v[0], v[1], p, v[2]), features, rois, out);
    }

    @Override public void roiAlignBackward(View gradOut, View rois, RoiAlignParams p, View gradFeatures) {
        run("roi_align backward", (be, v) -> be.roiAlignBackward(v[0], v[1], p, v[2]), gradOut, rois, gradFeatures);
    }

    @Override public void gather(View src, int dim, View index, View out) {
        run("gather", (be, v) -> be.gather(v[0], dim, v[1], v[2]), src, index, out);
    }

    @Override public void scatterAdd(View dst, int dim, View index, View src) {
        run("scatter_add", (be, v) -> be.scatterAdd(v[0], dim, v[1], v[2]), dst, index, src);
    }
}
