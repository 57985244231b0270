package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.RefMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static dev.maskseg.engine.jvm.ViewArrays.f;

/** Vectorized, multi-threaded float32 pointwise kernels over {@link RowPlan} rows. */
final class JvmPointwise {
    private static final VectorSpecies<Float> S = VectorWidth.SPECIES;
    private static final int V = S.length();

    private JvmPointwise() {}

    static boolean vectorUnary(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, RELU, ADD_SCALAR, MUL_SCALAR, CLAMP, SQRT, EXP, LOG, TANH, SIGMOID, GELU -> true;
            default -> false;
        };
    }

    static void fill(View dst, float value) {
        Arrays.fill(f(dst), dst.offset(), dst.offset() + dst.numel(), value);
    }

    static void copy(WorkerPool pool, View src, View dst) {
        float[] s = f(src), d = f(dst);
        RowPlan plan = new RowPlan(dst.shape(), src, dst);
        int ss = plan.innerStride[0], ds = plan.innerStride[1];
        plan.forEachRow(pool, (off, n) -> {
            if (ss == 1 && ds == 1) System.arraycopy(s, off[0], d, off[1], n);
            else for (int i = 0; i < n; i++) d[off[1] + i * ds] = s[off[0] + i * ss];
        });
    }

    static void unary(WorkerPool pool, UnaryOp op, float p1, float p2, View src, View dst) {
        float[] s = f(src), d = f(dst);
        RowPlan plan = new RowPlan(dst.shape(), src, dst);
        int ss = plan.innerStride[0], ds = plan.innerStride[1];
        boolean vec = ss == 1 && ds == 1 && vectorUnary(op);
        plan.forEachRow(pool, (off, n) -> {
            int i = vec ? unaryRow(op, p1, p2, s, off[0], d, off[1], n) : 0;
            for (; i < n; i++) d[off[1] + i * ds] = unaryScalar(op, p1, p2, s[off[0] + i * ss]);
        });
    }

    /*
     * Each vector loop below is straight-line code, one loop per op, with no vector crossing a call to a method of
     * ours: C2 does not inline a callee whose compiled code is already large (InlineSmallCode), and a vector passed to
     * or returned from such a call is boxed. A shared per-op helper got compiled standalone once other models had run,
     * and ResNet-50 then spent a tenth of its time in Vector API fallback code.
     */

    /** The vectorized prefix of a dense row: returns how many elements it wrote. */
    private static int unaryRow(UnaryOp op, float p1, float p2, float[] s, int so, float[] d, int dof, int n) {
        int bound = S.loopBound(n);
        switch (op) {
            case EXP -> { for (int i = 0; i < bound; i += V) DetMath.exp(FloatVector.fromArray(S, s, so + i)).intoArray(d, dof + i); }
            case LOG -> { for (int i = 0; i < bound; i += V) DetMath.log(FloatVector.fromArray(S, s, so + i)).intoArray(d, dof + i); }
            case TANH -> { for (int i = 0; i < bound; i += V) DetMath.tanh(FloatVector.fromArray(S, s, so + i)).intoArray(d, dof + i); }
            case SIGMOID -> { for (int i = 0; i < bound; i += V) VecMath.sigmoid(FloatVector.fromArray(S, s, so + i)).intoArray(d, dof + i); }
            case GELU -> { for (int i = 0; i < bound; i += V) VecMath.gelu(FloatVector.fromArray(S, s, so + i)).intoArray(d, dof + i); }
            default -> simpleUnaryRow(op, p1, p2, s, so, d, dof, bound);
        }
        return bound;
    }

    private static void simpleUnaryRow(UnaryOp op, float p1, float p2, float[] s, int so, float[] d, int dof, int bound) {
        switch (op) {
            case NEG -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, s, so + i).neg().intoArray(d, dof + i); }
            case ABS -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, s, so + i).abs().intoArray(d, dof + i); }
            case RELU -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, s, so + i).max(0f).intoArray(d, dof + i); }
            case ADD_SCALAR -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, s, so + i).add(p1).intoArray(d, dof + i); }
            case MUL_SCALAR -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, s, so + i).mul(p1).intoArray(d, dof + i); }
            case CLAMP -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, s, so + i).max(p1).min(p2).intoArray(d, dof + i); }
            case SQRT -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, s, so + i).sqrt().intoArray(d, dof + i); }
            default -> throw new IllegalStateException("no vector form for " + op);
        }
    }

    private static float unaryScalar(UnaryOp op, float p1, float p2, float x) {
        return switch (op) {
            case GELU -> VecMath.gelu(x);
            case SIGMOID -> VecMath.sigmoid(x);
            case EXP -> DetMath.exp(x);
            case LOG -> DetMath.log(x);
            case TANH -> DetMath.tanh(x);
            case RELU -> x > 0 ? x : 0f;
            case ADD_SCALAR -> x + p1;
            case MUL_SCALAR -> x * p1;
            case CLAMP -> Math.min(Math.max(x, p1), p2);
            default -> (float) RefMath.unary(op, x, p1, p2);
        };
    }

    /** out = (a·x) + (b·y) with float products rounded before the sum, as MUL_SCALAR twice and ADD; out may alias x or y. */
    static void scaledAdd(WorkerPool pool, float a, View x, float b, View y, View out) {
        float[] xs = f(x), ys = f(y), d = f(out);
        RowPlan plan = new RowPlan(out.shape(), x, y, out);
        plan.forEachRow(pool, (off, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += V) {
                FloatVector.fromArray(S, xs, off[0] + i).mul(a).add(FloatVector.fromArray(S, ys, off[1] + i).mul(b)).intoArray(d, off[2] + i);
            }
            for (; i < n; i++) d[off[2] + i] = xs[off[0] + i] * a + ys[off[1] + i] * b;
        });
    }

    static boolean vectorBinary(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, MAX, MIN, RELU_GRAD, SIGMOID_GRAD, TANH_GRAD, GELU_GRAD -> true;
            default -> false;
        };
    }

    static void binary(WorkerPool pool, BinaryOp op, View a, View b, View dst) {
        float[] x = f(a), y = f(b), d = f(dst);
        RowPlan plan = new RowPlan(dst.shape(), a, b, dst);
        int sa = plan.innerStride[0], sb = plan.innerStride[1], sd = plan.innerStride[2];
        boolean vec = sd == 1 && (sa == 1 || sa == 0) && (sb == 1 || sb == 0) && !(sa == 0 && sb == 0);
        plan.forEachRow(pool, (off, n) -> {
            int i = 0;
            if (vec) {
                i = S.loopBound(n);
                if (op == BinaryOp.GELU_GRAD) geluGradRow(x, off[0], sa, y, off[1], sb, d, off[2], i);
                else if (sa == 1 && sb == 1) binaryRow(op, x, off[0], y, off[1], d, off[2], i);
                else if (sa == 0) binaryRowScalarA(op, x[off[0]], y, off[1], d, off[2], i);
                else binaryRowScalarB(op, x, off[0], y[off[1]], d, off[2], i);
            }
            for (; i < n; i++) d[off[2] + i * sd] = binaryScalar(op, x[off[0] + i * sa], y[off[1] + i * sb]);
        });
    }

    private static void binaryRow(BinaryOp op, float[] x, int xo, float[] y, int yo, float[] d, int dof, int bound) {
        switch (op) {
            case ADD -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case SUB -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).sub(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case MUL -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case DIV -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).div(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case MAX -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).max(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case MIN -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).min(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case RELU_GRAD -> reluGradRow(x, xo, y, yo, d, dof, bound);
            case SIGMOID_GRAD -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, y, yo + i).mul(FloatVector.fromArray(S, x, xo + i)).mul(FloatVector.fromArray(S, x, xo + i).neg().add(1f)).intoArray(d, dof + i); }
            case TANH_GRAD -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, y, yo + i).mul(FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, x, xo + i)).neg().add(1f)).intoArray(d, dof + i); }
            default -> throw new IllegalStateException("no vector form for " + op);
        }
    }

    /**
     * d = y where x is not ≤ 0, else 0, in a method of its own: inlined in {@link #binaryRow}'s large graph C2 left the
     * blend a call instead of an intrinsic, which boxed every vector (about 400 MB per DeepLab-v3 training step).
     */
    private static void reluGradRow(float[] x, int xo, float[] y, int yo, float[] d, int dof, int bound) {
        for (int i = 0; i < bound; i += V) {
            FloatVector.fromArray(S, y, yo + i).blend(0f, FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.LE, 0f)).intoArray(d, dof + i);
        }
    }

    private static void binaryRowScalarA(BinaryOp op, float a, float[] y, int yo, float[] d, int dof, int bound) {
        FloatVector va = FloatVector.broadcast(S, a);
        switch (op) {
            case ADD -> { for (int i = 0; i < bound; i += V) va.add(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case SUB -> { for (int i = 0; i < bound; i += V) va.sub(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case MUL -> { for (int i = 0; i < bound; i += V) va.mul(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case DIV -> { for (int i = 0; i < bound; i += V) va.div(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case MAX -> { for (int i = 0; i < bound; i += V) va.max(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case MIN -> { for (int i = 0; i < bound; i += V) va.min(FloatVector.fromArray(S, y, yo + i)).intoArray(d, dof + i); }
            case RELU_GRAD -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, y, yo + i).blend(0f, va.compare(VectorOperators.LE, 0f)).intoArray(d, dof + i); }
            case SIGMOID_GRAD -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, y, yo + i).mul(va).mul(va.neg().add(1f)).intoArray(d, dof + i); }
            case TANH_GRAD -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, y, yo + i).mul(va.mul(va).neg().add(1f)).intoArray(d, dof + i); }
            default -> throw new IllegalStateException("no vector form for " + op);
        }
    }

    private static void binaryRowScalarB(BinaryOp op, float[] x, int xo, float b, float[] d, int dof, int bound) {
        FloatVector vb = FloatVector.broadcast(S, b);
        switch (op) {
            case ADD -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).add(vb).intoArray(d, dof + i); }
            case SUB -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).sub(vb).intoArray(d, dof + i); }
            case MUL -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).mul(vb).intoArray(d, dof + i); }
            case DIV -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).div(vb).intoArray(d, dof + i); }
            case MAX -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).max(vb).intoArray(d, dof + i); }
            case MIN -> { for (int i = 0; i < bound; i += V) FloatVector.fromArray(S, x, xo + i).min(vb).intoArray(d, dof + i); }
            case RELU_GRAD -> { for (int i = 0; i < bound; i += V) vb.blend(0f, FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.LE, 0f)).intoArray(d, dof + i); }
            case SIGMOID_GRAD -> { for (int i = 0; i < bound; i += V) vb.mul(FloatVector.fromArray(S, x, xo + i)).mul(FloatVector.fromArray(S, x, xo + i).neg().add(1f)).intoArray(d, dof + i); }
            case TANH_GRAD -> { for (int i = 0; i < bound; i += V) vb.mul(FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, x, xo + i)).neg().add(1f)).intoArray(d, dof + i); }
            default -> throw new IllegalStateException("no vector form for " + op);
        }
    }

    private static void geluGradRow(float[] x, int xo, int sa, float[] y, int yo, int sb, float[] d, int dof, int bound) {
        for (int i = 0; i < bound; i += V) {
            FloatVector a = sa == 0 ? FloatVector.broadcast(S, x[xo]) : FloatVector.fromArray(S, x, xo + i);
            FloatVector b = sb == 0 ? FloatVector.broadcast(S, y[yo]) : FloatVector.fromArray(S, y, yo + i);
            b.mul(VecMath.geluGrad(a)).intoArray(d, dof + i);
        }
    }

    private static float binaryScalar(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case RELU_GRAD -> a > 0 ? b : 0f;
            case SIGMOID_GRAD -> b * a * (1f - a);
            case TANH_GRAD -> b * (1f - a * a);
            case GELU_GRAD -> b * VecMath.geluGrad(a);
            default -> (float) RefMath.binary(op, a, b);
        };
    }
}
