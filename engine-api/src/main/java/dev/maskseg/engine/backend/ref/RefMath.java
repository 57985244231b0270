package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.UnaryOp;
import org.apache.commons.math3.special.Erf;

/** Scalar definitions of the pointwise ops, in double precision: the ground truth of every backend. */
public final class RefMath {
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private RefMath() {}

    public static double erf(double x) { return Erf.erf(x); }

    public static double gelu(double x) { return 0.5 * x * (1.0 + erf(x * INV_SQRT2)); }

    public static double geluGrad(double x) {
        return 0.5 * (1.0 + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    public static double sigmoid(double x) {
        return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
    }

    public static double unary(UnaryOp op, double x, double p1, double p2) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case RELU -> x > 0 ? x : 0.0;
            case GELU -> gelu(x);
            case SIGMOID -> sigmoid(x);
            case TANH -> Math.tanh(x);
            case ERF -> erf(x);
            case SOFTPLUS -> x * p1 > p2 ? x : Math.log1p(Math.exp(p1 * x)) / p1;
            case POW -> Math.pow(x, p1);
            case CLAMP -> Math.min(Math.max(x, p1), p2);
            case ADD_SCALAR -> x + p1;
            case MUL_SCALAR -> x * p1;
            case RDIV_SCALAR -> p1 / x;
            case NOT -> x == 0 ? 1.0 : 0.0;
        };
    }

    public static double binary(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case AND -> (a != 0 && b != 0) ? 1 : 0;
            case OR -> (a != 0 || b != 0) ? 1 : 0;
            case RELU_GRAD -> a > 0 ? b : 0.0;
            case GELU_GRAD -> b * geluGrad(a);
            case SIGMOID_GRAD -> b * a * (1.0 - a);
            case TANH_GRAD -> b * (1.0 - a * a);
        };
    }
}
