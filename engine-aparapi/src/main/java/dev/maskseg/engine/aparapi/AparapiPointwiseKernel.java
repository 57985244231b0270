package dev.maskseg.engine.aparapi;

/**
 * Device code of the pointwise family (fill, copy with dtype conversion, unary, binary, where), in double precision
 * with the reference's definitions; host side {@link AparapiPointwise}.
 */
abstract class AparapiPointwiseKernel extends ArenaKernel {
    void fillAt(int i) { store(vtype(0), voff(0, i), p1); }

    void copyAt(int i) { store(vtype(1), voff(1, i), load(vtype(0), voff(0, i))); }

    void unaryAt(int i) { store(vtype(1), voff(1, i), unary(sub, load(vtype(0), voff(0, i)))); }

    void whereAt(int i) {
        double c = load(vtype(0), voff(0, i));
        store(vtype(3), voff(3, i), c != 0 ? load(vtype(1), voff(1, i)) : load(vtype(2), voff(2, i)));
    }

    private double erfApprox(double x) {
        double ax = abs(x);
        double r = 0;
        if (ax < 1.0) {
            // Maclaurin series: 2/sqrt(pi) * sum (-1)^k x^(2k+1) / (k! (2k+1))
            double term = x, sum = x, x2 = x * x;
            for (int k = 1; k < 24; k++) {
                term = -term * x2 / k;
                sum += term / (2 * k + 1);
            }
            r = 1.1283791670955126 * sum;
        } else {
            double t = 1.0 / (1.0 + 0.5 * ax);
            double erfc = t * exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                    + t * (-0.82215223 + t * 0.17087277)))))))));
            r = x >= 0 ? 1.0 - erfc : erfc - 1.0;
        }
        return r;
    }

    private double sigmoidOf(double x) {
        double r = 0;
        if (x >= 0) r = 1.0 / (1.0 + exp(-x));
        else r = exp(x) / (1.0 + exp(x));
        return r;
    }

    private double geluGrad(double x) {
        return 0.5 * (1.0 + erfApprox(x * 0.7071067811865476)) + x * 0.3989422804014327 * exp(-0.5 * x * x);
    }

    /** UnaryOp ordinals: NEG EXP LOG SQRT RSQRT ABS SIGN RELU GELU SIGMOID TANH ERF SOFTPLUS POW CLAMP ADD MUL RDIV NOT. */
    private double unary(int u, double x) {
        double r = 0;
        if (u == 0) r = -x;
        else if (u == 1) r = exp(x);
        else if (u == 2) r = log(x);
        else if (u == 3) r = sqrt(x);
        else if (u == 4) r = 1.0 / sqrt(x);
        else if (u == 5) r = abs(x);
        else if (u == 6) r = x > 0 ? 1.0 : (x < 0 ? -1.0 : x);
        else if (u == 7) r = x > 0 ? x : 0.0;
        else if (u == 8) r = 0.5 * x * (1.0 + erfApprox(x * 0.7071067811865476));
        else if (u == 9) r = sigmoidOf(x);
        else if (u == 10) r = tanh(x);
        else if (u == 11) r = erfApprox(x);
        else if (u == 12) r = x * p1 > p2 ? x : log1p(exp(p1 * x)) / p1;
        else if (u == 13) r = pow(x, p1);
        else if (u == 14) r = min(max(x, p1), p2);
        else if (u == 15) r = x + p1;
        else if (u == 16) r = x * p1;
        else if (u == 17) r = p1 / x;
        else r = x == 0 ? 1.0 : 0.0;
        return r;
    }

    /** BinaryOp ordinals: ADD SUB MUL DIV MAX MIN EQ NE LT LE GT GE AND OR RELU_G GELU_G SIGMOID_G TANH_G. */
    void binaryAt(int i) {
        double a = load(vtype(0), voff(0, i)), b = load(vtype(1), voff(1, i));
        double r = 0;
        if (sub == 0) r = a + b;
        else if (sub == 1) r = a - b;
        else if (sub == 2) r = a * b;
        else if (sub == 3) r = a / b;
        else if (sub == 4) r = a != a ? a : (b != b ? b : max(a, b));
        else if (sub == 5) r = a != a ? a : (b != b ? b : min(a, b));
        else if (sub == 6) r = a == b ? 1 : 0;
        else if (sub == 7) r = a != b ? 1 : 0;
        else if (sub == 8) r = a < b ? 1 : 0;
        else if (sub == 9) r = a <= b ? 1 : 0;
        else if (sub == 10) r = a > b ? 1 : 0;
        else if (sub == 11) r = a >= b ? 1 : 0;
        else if (sub == 12) r = (a != 0 && b != 0) ? 1 : 0;
        else if (sub == 13) r = (a != 0 || b != 0) ? 1 : 0;
        else if (sub == 14) r = a > 0 ? b : 0.0;
        else if (sub == 15) r = b * geluGrad(a);
        else if (sub == 16) r = b * a * (1.0 - a);
        else r = b * (1.0 - a * a);
        store(vtype(2), voff(2, i), r);
    }
}
