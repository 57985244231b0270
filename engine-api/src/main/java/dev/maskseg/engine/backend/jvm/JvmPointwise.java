package dev.maskseg.engine.backend.jvm;

import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.RefMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.maskseg.engine.backend.jvm.JvmConv.f;

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

    static void copy(WorkerPool pool, View src, View dst) {
        float[] s = f(src), d = f(dst);
        RowPlan plan = new RowPlan(dst.shape(), src, dst);
        int ss = plan.innerStride[0], ds = plan.innerStride[1], n = plan.len;
        plan.forEachRow(pool, off -> {
            if (ss == 1 && ds == 1) System.arraycopy(s, off[0], d, off[1], n);
            else for (int i = 0; i < n; i++) d[off[1] + i * ds] = s[off[0] + i * ss];
        });
    }

    static void unary(WorkerPool pool, UnaryOp op, float p1, float p2, View src, View dst) {
        float[] s = f(src), d = f(dst);
        RowPlan plan = new RowPlan(dst.shape(), src, dst);
        int ss = plan.innerStride[0], ds = plan.innerStride[1], n = plan.len;
        boolean vec = ss == 1 && ds == 1 && vectorUnary(op);
        plan.forEachRow(pool, off -> {
            int i = 0;
            if (vec) {
                for (int bound = S.loopBound(n); i < bound; i += V) {
                    unaryVec(op, p1, p2, FloatVector.fromArray(S, s, off[0] + i)).intoArray(d, off[1] + i);
                }
            }
            for (; i < n; i++) d[off[1] + i * ds] = unaryScalar(op, p1, p2, s[off[0] + i * ss]);
        });
    }

    private static FloatVector unaryVec(UnaryOp op, float p1, float p2, FloatVector x) {
        return switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case RELU -> x.max(0f);
            case ADD_SCALAR -> x.add(p1);
            case MUL_SCALAR -> x.mul(p1);
            case CLAMP -> x.max(p1).min(p2);
            case SQRT -> x.sqrt();
            case EXP -> DetMath.exp(x);
            case LOG -> DetMath.log(x);
            case TANH -> DetMath.tanh(x);
            case SIGMOID -> VecMath.sigmoid(x);
            case GELU -> VecMath.gelu(x);
            default -> throw new IllegalStateException("no vector form for " + op);
        };
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

    static boolean vectorBinary(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, MAX, MIN, RELU_GRAD, SIGMOID_GRAD, TANH_GRAD, GELU_GRAD -> true;
            default -> false;
        };
    }

    static void binary(WorkerPool pool, BinaryOp op, View a, View b, View dst) {
        float[] x = f(a), y = f(b), d = f(dst);
        RowPlan plan = new RowPlan(dst.shape(), a, b, dst);
        int sa = plan.innerStride[0], sb = plan.innerStride[1], sd = plan.innerStride[2], n = plan.len;
        boolean vec = sd == 1 && (sa == 1 || sa == 0) && (sb == 1 || sb == 0);
        plan.forEachRow(pool, off -> {
            int i = 0;
            if (vec) {
                FloatVector ca = sa == 0 ? FloatVector.broadcast(S, x[off[0]]) : null;
                FloatVector cb = sb == 0 ? FloatVector.broadcast(S, y[off[1]]) : null;
                for (int bound = S.loopBound(n); i < bound; i += V) {
                    FloatVector va = ca != null ? ca : FloatVector.fromArray(S, x, off[0] + i);
                    FloatVector vb = cb != null ? cb : FloatVector.fromArray(S, y, off[1] + i);
                    binaryVec(op, va, vb).intoArray(d, off[2] + i);
                }
            }
            for (; i < n; i++) d[off[2] + i * sd] = binaryScalar(op, x[off[0] + i * sa], y[off[1] + i * sb]);
        });
    }

    private static FloatVector binaryVec(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            case MIN -> a.min(b);
            case RELU_GRAD -> b.blend(0f, a.compare(VectorOperators.LE, 0f));
            case SIGMOID_GRAD -> b.mul(a).mul(a.neg().add(1f));
            case TANH_GRAD -> b.mul(a.mul(a).neg().add(1f));
            case GELU_GRAD -> b.mul(VecMath.geluGrad(a));
            default -> throw new IllegalStateException("no vector form for " + op);
        };
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
