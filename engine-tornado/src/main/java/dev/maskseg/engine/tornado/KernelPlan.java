package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.DataRange;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.WorkerGrid3D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.exceptions.TornadoBailoutRuntimeException;
import uk.ac.manchester.tornado.api.exceptions.TornadoCompilationException;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.exceptions.TornadoInliningException;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The one TornadoVM execution plan of a backend: a task-graph per {@link Kernel} (plus the graph that first places the
 * arenas on the device and four staging graphs for uploads), all over the same two arenas. TornadoVM keeps device
 * buffers per plan, and hands a buffer from graph to graph only inside one plan ({@code consumeFromDevice} /
 * {@code persistOnDevice}), so every kernel of the backend lives here. Launch sizes and offsets change through the
 * parameter arrays, never as scalar task arguments, which TornadoVM would bake into the kernel as constants (a
 * recompile per value). Graphs compile on their first launch. Growing an arena means a new plan: the old one is
 * copied back to the host and closed, which frees its device buffers.
 */
final class KernelPlan implements AutoCloseable {
    /** Staging buffer sizes: small uploads move STAGE_SMALL elements per launch, large ones STAGE_LARGE. */
    static final int STAGE_SMALL = 1 << 12, STAGE_LARGE = 1 << 20;
    /**
     * OpenCL build options: TornadoVM's default adds -cl-fast-relaxed-math, which assumes no NaN or infinity and may
     * lower the precision of exp/log; the kernels follow the reference's NaN rules and definitions, so only
     * contraction to fused multiply-add is allowed.
     */
    static final String COMPILER_FLAGS = "-cl-mad-enable -w";
    /**
     * Elements after the float arena's last usable one: the vector GEMM reads up to 15 elements past a B row, so a row
     * that ends the arena stays inside the device buffer.
     */
    static final int TAIL = 16;
    private static final int INIT = 0, STAGE0 = 1 + Kernel.values().length;

    final FloatArray f;
    final DoubleArray d;
    final IntArray meta = new IntArray(Meta.SIZE);
    final DoubleArray params = new DoubleArray(Meta.PARAMS);
    private final FloatArray stageFloatsSmall = new FloatArray(STAGE_SMALL), stageFloatsLarge = new FloatArray(STAGE_LARGE);
    private final DoubleArray stageDoublesSmall = new DoubleArray(STAGE_SMALL), stageDoublesLarge = new DoubleArray(STAGE_LARGE);
    private final TornadoExecutionPlan plan;
    private final WorkerGrid[] grids;
    private final boolean profile;
    private final KernelStats stats;
    private final Set<Kernel> failed;
    private TornadoExecutionResult last;
    private boolean closed;

    /** A thrown launch of a kernel that TornadoVM could not compile for the device (a bailout). */
    static final class KernelCompileException extends RuntimeException {
        final Kernel kernel;

        KernelCompileException(Kernel kernel, String reason) {
            super(reason);
            this.kernel = kernel;
        }
    }

    /**
     * A plan over new arenas of the given capacities, holding the contents of {@code from} (null: zeroed), on the
     * device. Statistics and the set of kernels that failed to compile carry over.
     */
    KernelPlan(TornadoDevice device, int floatCapacity, int doubleCapacity, boolean profile, KernelStats stats,
               Set<Kernel> failed, KernelPlan from) {
        this.profile = profile;
        this.stats = stats;
        this.failed = failed;
        f = new FloatArray(floatCapacity + TAIL);
        d = new DoubleArray(doubleCapacity);
        if (from != null) {
            from.copyBackAll();
            MemorySegment.copy(from.f.getSegment(), 0, f.getSegment(), 0, from.f.getNumBytesOfSegment() - TAIL * Float.BYTES);
            MemorySegment.copy(from.d.getSegment(), 0, d.getSegment(), 0, from.d.getNumBytesOfSegment());
        }
        List<TaskGraph> graphs = new ArrayList<>();
        graphs.add(new TaskGraph("init").transferToDevice(DataTransferMode.FIRST_EXECUTION, f, d)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, meta, params)
                .task("t", TornadoPointwiseKernel::none, new KernelContext(), f, d, meta, params)
                .persistOnDevice(f, d));
        for (Kernel k : Kernel.values()) graphs.add(kernelGraph(k));
        graphs.add(stageGraph("stage_floats_small", stageFloatsSmall, null));
        graphs.add(stageGraph("stage_floats_large", stageFloatsLarge, null));
        graphs.add(stageGraph("stage_doubles_small", null, stageDoublesSmall));
        graphs.add(stageGraph("stage_doubles_large", null, stageDoublesLarge));
        grids = new WorkerGrid[graphs.size()];
        GridScheduler scheduler = new GridScheduler();
        for (int i = 0; i < grids.length; i++) {
            int dims = i >= 1 && i < STAGE0 ? Kernel.values()[i - 1].dims : 1;
            grids[i] = dims == 1 ? new WorkerGrid1D(1) : dims == 2 ? new WorkerGrid2D(1, 1) : new WorkerGrid3D(1, 1, 1);
            scheduler.addWorkerGrid(graphs.get(i).getTaskGraphName() + ".t", grids[i]);
        }
        plan = new TornadoExecutionPlan(graphs.stream().map(TaskGraph::snapshot).toArray(
                uk.ac.manchester.tornado.api.ImmutableTaskGraph[]::new));
        plan.withDevice(device).withGridScheduler(scheduler).withCompilerFlags(TornadoVMBackendType.OPENCL, COMPILER_FLAGS);
        if (profile) plan.withProfiler(ProfilerMode.SILENT);
        meta.set(Meta.N, 0);
        grids[INIT].setGlobalWork(1, 1, 1);
        grids[INIT].setLocalWork(1, 1, 1);
        last = plan.withGraph(INIT).execute();
    }

    private TaskGraph kernelGraph(Kernel k) {
        TaskGraph g = new TaskGraph(k.graphName()).consumeFromDevice(f, d)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, meta, params);
        try {
            g.task("t", k.code, new KernelContext(), f, d, meta, params);
        } catch (TornadoInliningException e) {
            throw new IllegalStateException("tornado: kernel " + k.graphName() + " cannot be compiled (" + oneLine(e) + ")", e);
        }
        g.persistOnDevice(f, d);
        if (k.returnsMeta) g.transferToHost(DataTransferMode.EVERY_EXECUTION, meta);
        return g;
    }

    private TaskGraph stageGraph(String name, FloatArray floats, DoubleArray doubles) {
        TaskGraph g = new TaskGraph(name).consumeFromDevice(f, d)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, meta, params, floats != null ? floats : doubles);
        if (floats != null) g.task("t", TornadoPointwiseKernel::stageFloats, new KernelContext(), f, d, meta, params, floats);
        else g.task("t", TornadoPointwiseKernel::stageDoubles, new KernelContext(), f, d, meta, params, doubles);
        return g.persistOnDevice(f, d);
    }

    int floatCapacity() { return f.getSize() - TAIL; }

    int doubleCapacity() { return d.getSize(); }

    /** Clears the int parameters for the next launch and returns them. */
    IntArray meta() {
        meta.init(0);
        return meta;
    }

    /**
     * Runs a kernel on the device over a global grid (gx, gy, gz) of work-groups (lx, ly, lz); the global sizes must
     * be multiples of the local ones. A kernel TornadoVM cannot compile is a {@link KernelCompileException}.
     */
    void launch(Kernel k, int gx, int gy, int gz, int lx, int ly, int lz) {
        if (failed.contains(k)) throw new KernelCompileException(k, "it failed to compile before");
        int graph = 1 + k.ordinal();
        WorkerGrid g = grids[graph];
        g.setGlobalWork(gx, gy, gz);
        g.setLocalWork(lx, ly, lz);
        try {
            last = plan.withGraph(graph).execute();
        } catch (TornadoBailoutRuntimeException | TornadoCompilationException | TornadoInliningException e) {
            failed.add(k);
            throw new KernelCompileException(k, oneLine(e));
        }
        stats.count(k, profile ? last.getProfilerResult().getDeviceKernelTime() : 0);
    }

    /** One work-item per element of a 1-D range of n, in groups of `local`. */
    void launch1d(Kernel k, int n, int local) {
        if (n <= 0) return;
        meta.set(Meta.N, n);
        launch(k, (n + local - 1) / local * local, 1, 1, local, 1, 1);
    }

    /** Copies host floats [from, from+n) to float-arena position `to`, through the staging graphs. */
    void upload(float[] src, int from, int to, int n) {
        for (int done = 0; done < n; ) {
            boolean small = n - done <= STAGE_SMALL;
            FloatArray stage = small ? stageFloatsSmall : stageFloatsLarge;
            int len = Math.min(n - done, stage.getSize());
            MemorySegment.copy(src, from + done, stage.getSegment(), ValueLayout.JAVA_FLOAT, 0, len);
            stage(small ? STAGE0 : STAGE0 + 1, to + done, len);
            done += len;
        }
    }

    /** Copies host doubles [from, from+n) to double-arena position `to`, through the staging graphs. */
    void upload(double[] src, int from, int to, int n) {
        for (int done = 0; done < n; ) {
            boolean small = n - done <= STAGE_SMALL;
            DoubleArray stage = small ? stageDoublesSmall : stageDoublesLarge;
            int len = Math.min(n - done, stage.getSize());
            MemorySegment.copy(src, from + done, stage.getSegment(), ValueLayout.JAVA_DOUBLE, 0, len);
            stage(small ? STAGE0 + 2 : STAGE0 + 3, to + done, len);
            done += len;
        }
    }

    private void stage(int graph, int to, int len) {
        meta().set(Meta.N, len);
        meta.set(Meta.ARG, to);
        int local = 64;
        grids[graph].setGlobalWork((len + local - 1) / local * local, 1, 1);
        grids[graph].setLocalWork(local, 1, 1);
        last = plan.withGraph(graph).execute();
    }

    /** Float-arena elements [at, at+n) copied to the host. */
    void download(int at, int n, float[] dst) {
        if (n == 0) return;
        last.transferToHost(new DataRange(f).withOffset(at).withSize(n));
        MemorySegment.copy(f.getSegment(), ValueLayout.JAVA_FLOAT, (long) at * Float.BYTES, dst, 0, n);
    }

    /** Double-arena elements [at, at+n) copied to the host. */
    void download(int at, int n, double[] dst) {
        if (n == 0) return;
        last.transferToHost(new DataRange(d).withOffset(at).withSize(n));
        MemorySegment.copy(d.getSegment(), ValueLayout.JAVA_DOUBLE, (long) at * Double.BYTES, dst, 0, n);
    }

    /**
     * Both arenas copied to the host, as explicit ranges: after a partial (DataRange) copy, TornadoVM 5.2's plain
     * {@code transferToHost(array)} copies only that range again.
     */
    private void copyBackAll() {
        last.transferToHost(new DataRange(f).withOffset(0).withSize(f.getSize()));
        last.transferToHost(new DataRange(d).withOffset(0).withSize(d.getSize()));
    }

    /** The device the plan ran on, as TornadoVM reports it after a launch. */
    TornadoDevice device() { return plan.getDevice(0); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("tornado: closing the execution plan failed: " + oneLine(e), e);
        }
    }

    /** An exception's message on one line, without TornadoVM's colour codes and the stack trace it appends. */
    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        m = m.replaceAll("\u001B\\[[0-9;]*m", "").replaceAll("\\s+", " ").trim();
        int trace = m.indexOf(" Stacktrace:");
        return trace > 0 ? m.substring(0, trace) : m;
    }

    static Set<Kernel> noFailures() { return EnumSet.noneOf(Kernel.class); }
}
