package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * One compiled execution plan per kernel, bound to reusable buffers: a call copies its data into
 * the buffers, runs the plan (inputs and outputs transferred on every execution) and copies the
 * result out. A call larger than the buffers rebuilds that plan with bigger ones.
 */
final class TornadoPlans {
    /** A kernel's plan with its three float buffers and its int parameters. */
    static final class Plan {
        final String graph;
        final FloatArray in0, in1, out;
        final IntArray dims = new IntArray(4);
        final TornadoExecutionPlan plan;
        final WorkerGrid grid;

        Plan(String graph, int capacity, boolean twoD, Kind kind) {
            this.graph = graph;
            in0 = new FloatArray(capacity);
            in1 = new FloatArray(kind == Kind.SOFTMAX ? 1 : capacity);
            out = new FloatArray(capacity);
            KernelContext ctx = new KernelContext();
            TaskGraph tg = new TaskGraph(graph).transferToDevice(DataTransferMode.EVERY_EXECUTION, in0, in1, dims);
            switch (kind) {
                case GEMM -> tg.task("t0", TornadoLinAlg::gemm, ctx, in0, in1, out, dims);
                case BINARY -> tg.task("t0", TornadoPointwise::binary, ctx, in0, in1, out, dims);
                case SOFTMAX -> tg.task("t0", TornadoNorm::softmax, ctx, in0, out, dims);
            }
            tg.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
            grid = twoD ? new WorkerGrid2D(TornadoLinAlg.TS, TornadoLinAlg.TS) : new WorkerGrid1D(64);
            plan = new TornadoExecutionPlan(tg.snapshot());
        }

        void run(int gx, int gy, int lx, int ly) {
            grid.setGlobalWork(gx, gy, 1);
            grid.setLocalWork(lx, ly, 1);
            plan.withGridScheduler(new GridScheduler(graph + ".t0", grid)).execute();
        }
    }

    enum Kind { GEMM, BINARY, SOFTMAX }

    private final Plan[] plans = new Plan[Kind.values().length];

    Plan get(Kind kind, int elements) {
        Plan p = plans[kind.ordinal()];
        if (p == null || p.out.getSize() < elements || p.in0.getSize() < elements) {
            int cap = Math.max(1 << 16, Integer.highestOneBit(Math.max(1, elements - 1)) << 1);
            p = new Plan("maskseg_" + kind.name().toLowerCase() + "_" + cap, cap, kind == Kind.GEMM, kind);
            plans[kind.ordinal()] = p;
        }
        return p;
    }
}
