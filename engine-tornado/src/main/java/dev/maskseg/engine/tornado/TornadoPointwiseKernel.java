package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import static dev.maskseg.engine.tornado.ArenaAccess.*;
import static dev.maskseg.engine.tornado.Meta.*;

/**
 * Device code of the pointwise family: fill, copy with dtype conversion, unary, binary and where over strided,
 * broadcast views (one work-item per output element), in double precision with the reference's definitions (RefMath);
 * host side {@link TornadoPointwise}. Also the staging copies of host transfers.
 */
final class TornadoPointwiseKernel {
    private TornadoPointwiseKernel() {}

    /** view 0 = value p[0]. */
    static void fill(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) store(f, d, vtype(m, 0), voff(m, 0, i), p.get(0));
    }

    /** view 1 = view 0, converting dtype. */
    static void copy(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) store(f, d, vtype(m, 1), voff(m, 1, i), load(f, d, vtype(m, 0), voff(m, 0, i)));
    }

    /** view 1 = op(view 0) with the UnaryOp ordinal at OP and its parameters p[0], p[1]. */
    static void unary(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            double x = load(f, d, vtype(m, 0), voff(m, 0, i));
            store(f, d, vtype(m, 1), voff(m, 1, i), unaryOf(m.get(OP), x, p.get(0), p.get(1)));
        }
    }

    /** view 2 = view 0 (op) view 1, the BinaryOp ordinal at OP. */
    static void binary(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            double a = load(f, d, vtype(m, 0), voff(m, 0, i)), b = load(f, d, vtype(m, 1), voff(m, 1, i));
            store(f, d, vtype(m, 2), voff(m, 2, i), binaryOf(m.get(OP), a, b));
        }
    }

    /** view 3 = view 0 != 0 ? view 1 : view 2. */
    static void where(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) {
            double c = load(f, d, vtype(m, 0), voff(m, 0, i));
            double v;
            if (c != 0) v = load(f, d, vtype(m, 1), voff(m, 1, i));
            else v = load(f, d, vtype(m, 2), voff(m, 2, i));
            store(f, d, vtype(m, 3), voff(m, 3, i), v);
        }
    }

    /** Staging: float arena [ARG, ARG + N) = the staging buffer. */
    static void stageFloats(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p, FloatArray stage) {
        int i = kc.globalIdx;
        if (i < m.get(N)) f.set(m.get(ARG) + i, stage.get(i));
    }

    /** Staging: double arena [ARG, ARG + N) = the staging buffer. */
    static void stageDoubles(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p, DoubleArray stage) {
        int i = kc.globalIdx;
        if (i < m.get(N)) d.set(m.get(ARG) + i, stage.get(i));
    }

    /** Nothing: the kernel of the graph that first places the arenas on the device. */
    static void none(KernelContext kc, FloatArray f, DoubleArray d, IntArray m, DoubleArray p) {
        int i = kc.globalIdx;
        if (i < m.get(N)) m.set(N, 0);
    }

    /** erf to ~1e-7: its Maclaurin series below 1, a Chebyshev-fitted erfc above (Numerical Recipes' erfcc). */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 1.0) {
            double term = x, sum = x, x2 = x * x;
            for (int k = 1; k < 24; k++) {
                term = -term * x2 / k;
                sum += term / (2 * k + 1);
            }
            r = 1.1283791670955126 * sum;
        } else {
            double t = 1.0 / (1.0 + 0.5 * ax);
            double erfc = t * Math.exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                    + t * (-0.82215223 + t * 0.17087277)))))))));
            if (x >= 0) r = 1.0 - erfc;
            else r = erfc - 1.0;
        }
        return r;
    }

    static double sigmoid(double x) {
        double r;
        if (x >= 0) r = 1.0 / (1.0 + Math.exp(-x));
        else r = Math.exp(x) / (1.0 + Math.exp(x));
        return r;
    }

    static double geluGrad(double x) {
        return 0.5 * (1.0 + erf(x * 0.7071067811865476)) + x * 0.3989422804014327 * Math.exp(-0.5 * x * x);
    }

    /** UnaryOp ordinals: NEG EXP LOG SQRT RSQRT ABS SIGN RELU GELU SIGMOID TANH ERF SOFTPLUS POW CLAMP ADD MUL RDIV NOT. */
    static double unaryOf(int u, double x, double p1, double p2) {
        double r;
        if (u == 0) r = -x;
        else if (u == 1) r = Math.exp(x);
        else if (u == 2) r = Math.log(x);
        else if (u == 3) r = Math.sqrt(x);
        else if (u == 4) r = 1.0 / Math.sqrt(x);
        else if (u == 5) r = Math.abs(x);
        else if (u == 6) r = x > 0 ? 1.0 : (x < 0 ? -1.0 : x);
        else if (u == 7) r = x > 0 ? x : 0.0;
        else if (u == 8) r = 0.5 * x * (1.0 + erf(x * 0.7071067811865476));
        else if (u == 9) r = sigmoid(x);
        else if (u == 10) r = Math.tanh(x);
        else if (u == 11) r = erf(x);
        else if (u == 12) r = x * p1 > p2 ? x : Math.log(1.0 + Math.exp(p1 * x)) / p1;
        else if (u == 13) r = Math.pow(x, p1);
        else if (u == 14) r = Math.min(Math.max(x, p1), p2);
        else if (u == 15) r = x + p1;
        else if (u == 16) r = x * p1;
        else if (u == 17) r = p1 / x;
        else r = x == 0 ? 1.0 : 0.0;
        return r;
    }

    /** a if it is NaN, else b if it is NaN, else r (Java's max/min propagate NaN, OpenCL's fmax/fmin do not). */
    static double nanOr(double a, double b, double r) {
        double out = r;
        if (b != b) out = b;
        if (a != a) out = a;
        return out;
    }

    /** BinaryOp ordinals: ADD SUB MUL DIV MAX MIN EQ NE LT LE GT GE AND OR RELU_G GELU_G SIGMOID_G TANH_G. */
    static double binaryOf(int op, double a, double b) {
        double r;
        if (op == 0) r = a + b;
        else if (op == 1) r = a - b;
        else if (op == 2) r = a * b;
        else if (op == 3) r = a / b;
        else if (op == 4) r = nanOr(a, b, Math.max(a, b));
        else if (op == 5) r = nanOr(a, b, Math.min(a, b));
        else if (op == 6) r = a == b ? 1 : 0;
        else if (op == 7) r = a != b ? 1 : 0;
        else if (op == 8) r = a < b ? 1 : 0;
        else if (op == 9) r = a <= b ? 1 : 0;
        else if (op == 10) r = a > b ? 1 : 0;
        else if (op == 11) r = a >= b ? 1 : 0;
        else if (op == 12) r = (a != 0 && b != 0) ? 1 : 0;
        else if (op == 13) r = (a != 0 || b != 0) ? 1 : 0;
        else if (op == 14) r = a > 0 ? b : 0.0;
        else if (op == 15) r = b * geluGrad(a);
        else if (op == 16) r = b * a * (1.0 - a);
        else r = b * (1.0 - a * a);
        return r;
    }
}
