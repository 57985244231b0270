package dev.maskseg.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The fused tail of an inference convolution over its output: y = y + r (r may be null), then max(y, 0) when relu. */
final class Epilogue {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length();

    private Epilogue() {}

    /** Over y[yBase, yBase + len) and r[rBase, …); pool null: on the calling thread. */
    static void addRelu(WorkerPool pool, float[] y, int yBase, float[] r, int rBase, int len, boolean relu) {
        int tasks = pool == null ? 1 : pool.tasks(Math.ceilDiv(len, 4096), len, 65_536);
        if (tasks <= 1) {
            range(y, yBase, r, rBase, 0, len, relu);
            return;
        }
        pool.forRange(tasks, t -> {
            int lo = (int) ((long) len * t / tasks) / V * V, hi = t == tasks - 1 ? len : (int) ((long) len * (t + 1) / tasks) / V * V;
            range(y, yBase, r, rBase, lo, hi, relu);
        });
    }

    private static void range(float[] y, int yBase, float[] r, int rBase, int lo, int hi, boolean relu) {
        int i = lo;
        for (int bound = lo + S.loopBound(hi - lo); i < bound; i += V) {
            FloatVector v = FloatVector.fromArray(S, y, yBase + i);
            if (r != null) v = v.add(FloatVector.fromArray(S, r, rBase + i));
            if (relu) v = v.lanewise(VectorOperators.MAX, 0f);
            v.intoArray(y, yBase + i);
        }
        for (; i < hi; i++) {
            float v = y[yBase + i] + (r == null ? 0f : r[rBase + i]);
            y[yBase + i] = relu ? Math.max(v, 0f) : v;
        }
    }
}
