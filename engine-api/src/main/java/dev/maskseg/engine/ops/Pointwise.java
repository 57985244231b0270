package dev.maskseg.engine.ops;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Shapes;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.UnaryOp;
import dev.maskseg.engine.backend.View;

/** Elementwise ops with NumPy broadcasting; each forward sits next to its backward. */
public final class Pointwise {
    private Pointwise() {}

    // ---------------------------------------------------------------- raw kernels (no autograd)

    /** A view of t broadcast to shape, without recording a graph node. */
    public static View broadcastView(Tensor t, int[] shape) {
        return new View(t.storage(), t.offset(), shape, Shapes.broadcastStrides(t.shape(), t.strides(), shape));
    }

    static Backend sameBackend(String op, Tensor... ts) {
        Backend b = null;
        for (Tensor t : ts) {
            if (t == null) continue;
            if (b == null) b = t.backend();
            else if (b != t.backend()) {
                throw new IllegalArgumentException(op + ": tensors on backends " + b.name() + " and " + t.backend().name()
                        + "; move one with to(backend)");
            }
        }
        return b;
    }

    static Tensor rawBinary(BinaryOp op, Tensor a, Tensor b) {
        Backend be = sameBackend(op.name().toLowerCase(), a, b);
        DType t = DType.promote(a.dtype(), b.dtype());
        Tensor x = rawCast(a, t), y = rawCast(b, t);
        int[] shape = Shapes.broadcast(op.name().toLowerCase(), a.shape(), b.shape());
        Tensor out = Tensor.empty(be, op.isComparison() ? DType.BOOL : t, shape);
        be.binary(op, broadcastView(x, shape), broadcastView(y, shape), out.view());
        return out;
    }

    static Tensor rawUnary(UnaryOp op, Tensor a, double p1, double p2) {
        DType t = op == UnaryOp.NOT ? DType.BOOL : a.dtype();
        Tensor out = Tensor.empty(a.backend(), t, a.shape());
        a.backend().unary(op, p1, p2, a.view(), out.view());
        return out;
    }

    static Tensor rawCast(Tensor a, DType t) {
        if (a.dtype() == t) return a;
        Tensor out = Tensor.empty(a.backend(), t, a.shape());
        a.backend().copy(a.view(), out.view());
        return out;
    }

    // ---------------------------------------------------------------- copies and casts

    public static Tensor copyOf(Tensor a) {
        Tensor out = Tensor.empty(a.backend(), a.dtype(), a.shape());
        a.backend().copy(a.view(), out.view());
        return Autograd.record("clone", out, g -> new Tensor[]{g}, a);
    }

    public static Tensor cast(Tensor a, DType t) {
        Tensor out = rawCast(a, t);
        if (!t.isFloating()) return out;
        DType from = a.dtype();
        return Autograd.record("to_" + t, out, g -> new Tensor[]{g.to(from)}, a);
    }

    // ---------------------------------------------------------------- binary arithmetic

    // Backward closures capture shapes, not tensors they do not need, so an activation is freed once nothing saved it.

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = rawBinary(BinaryOp.ADD, a, b);
        int[] as = a.shape(), bs = b.shape();
        return Autograd.record("add", out, g -> new Tensor[]{Reduce.sumTo(g, as), Reduce.sumTo(g, bs)}, a, b);
    }

    /** relu(a + b) as one op (a residual connection): the sum is not kept, the backward masks by the output. */
    public static Tensor addRelu(Tensor a, Tensor b) {
        Tensor out = rawBinary(BinaryOp.ADD, a, b);
        out.backend().unary(UnaryOp.RELU, 0, 0, out.view(), out.view());
        int[] as = a.shape(), bs = b.shape();
        return Autograd.record("add_relu", out, g -> {
            Tensor masked = rawBinary(BinaryOp.RELU_GRAD, out, g);
            return new Tensor[]{Reduce.sumTo(masked, as), Reduce.sumTo(masked, bs)};
        }, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = rawBinary(BinaryOp.SUB, a, b);
        int[] as = a.shape(), bs = b.shape();
        return Autograd.record("sub", out, g -> new Tensor[]{Reduce.sumTo(g, as), Reduce.sumTo(g.neg(), bs)}, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = rawBinary(BinaryOp.MUL, a, b);
        int[] as = a.shape(), bs = b.shape();
        Tensor forA = a.requiresGrad() ? b : null, forB = b.requiresGrad() ? a : null;
        return Autograd.record("mul", out, g -> new Tensor[]{
                forA != null ? Reduce.sumTo(g.mul(forA), as) : null,
                forB != null ? Reduce.sumTo(g.mul(forB), bs) : null}, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = rawBinary(BinaryOp.DIV, a, b);
        return Autograd.record("div", out, g -> new Tensor[]{
                a.requiresGrad() ? Reduce.sumTo(g.div(b), a.shape()) : null,
                b.requiresGrad() ? Reduce.sumTo(g.mul(out).div(b).neg(), b.shape()) : null}, a, b);
    }

    /** Elementwise max; at ties the gradient is split evenly, as in PyTorch. */
    public static Tensor maximum(Tensor a, Tensor b) { return extremum(BinaryOp.MAX, BinaryOp.GT, a, b); }

    public static Tensor minimum(Tensor a, Tensor b) { return extremum(BinaryOp.MIN, BinaryOp.LT, a, b); }

    private static Tensor extremum(BinaryOp op, BinaryOp wins, Tensor a, Tensor b) {
        Tensor out = rawBinary(op, a, b);
        return Autograd.record(op.name().toLowerCase(), out, g -> {
            Tensor aWins = rawBinary(wins, a, b).to(g.dtype()), tie = rawBinary(BinaryOp.EQ, a, b).to(g.dtype()).mul(0.5);
            Tensor bWins = rawBinary(wins, b, a).to(g.dtype());
            return new Tensor[]{Reduce.sumTo(g.mul(aWins.add(tie)), a.shape()), Reduce.sumTo(g.mul(bWins.add(tie)), b.shape())};
        }, a, b);
    }

    /** mask ? a : b with broadcasting over all three. */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) {
        Backend be = sameBackend("where", mask, a, b);
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", mask.shape(), a.shape()), b.shape());
        DType t = DType.promote(a.dtype(), b.dtype());
        Tensor x = rawCast(a, t), y = rawCast(b, t);
        Tensor out = Tensor.empty(be, t, shape);
        be.where(broadcastView(mask, shape), broadcastView(x, shape), broadcastView(y, shape), out.view());
        return Autograd.alsoSaved(Autograd.record("where", out, g -> {
            Tensor zero = Tensor.zeros(g.dtype(), 1).to(be);
            return new Tensor[]{null, Reduce.sumTo(where(mask, g, zero), a.shape()), Reduce.sumTo(where(mask, zero, g), b.shape())};
        }, null, a, b), mask);
    }

    /** Comparison to a scalar, giving a BOOL mask. */
    public static Tensor compare(BinaryOp op, Tensor a, double s) {
        return rawBinary(op, a, Tensor.full(a.dtype(), s, 1).to(a.backend()));
    }

    public static Tensor compare(BinaryOp op, Tensor a, Tensor b) { return rawBinary(op, a, b); }

    public static Tensor logicalNot(Tensor mask) { return rawUnary(UnaryOp.NOT, mask, 0, 0); }

    // ---------------------------------------------------------------- unary

    public static Tensor addScalar(Tensor a, double s) {
        return Autograd.record("add_scalar", rawUnary(UnaryOp.ADD_SCALAR, a, s, 0), g -> new Tensor[]{g}, a);
    }

    /** a·x + b·y for x and y of one shape (each product rounded, then the sum: x.mul(a).add(y.mul(b))) in one op. */
    public static Tensor scaledAdd(Tensor x, double a, Tensor y, double b) {
        Backend be = sameBackend("scaled_add", x, y);
        checkScaledAdd(x, y);
        Tensor out = Tensor.empty(be, x.dtype(), x.shape());
        be.scaledAdd(a, x.view(), b, y.view(), out.view());
        return Autograd.record("scaled_add", out, g -> new Tensor[]{g.mul(a), g.mul(b)}, x, y);
    }

    /** The shapes and dtypes scaledAdd and Tensor.scaledAdd_ accept: equal, floating point. */
    public static void checkScaledAdd(Tensor x, Tensor y) {
        if (!java.util.Arrays.equals(x.shape(), y.shape()) || x.dtype() != y.dtype() || !x.dtype().isFloating()) {
            throw new IllegalArgumentException("scaled_add: x " + x.shapeString() + " " + x.dtype() + " and y " + y.shapeString()
                    + " " + y.dtype() + " must have one shape and one floating dtype");
        }
    }

    public static Tensor mulScalar(Tensor a, double s) {
        return Autograd.record("mul_scalar", rawUnary(UnaryOp.MUL_SCALAR, a, s, 0), g -> new Tensor[]{g.mul(s)}, a);
    }

    /** s / a. */
    public static Tensor rdiv(double s, Tensor a) {
        Tensor out = rawUnary(UnaryOp.RDIV_SCALAR, a, s, 0);
        return Autograd.record("rdiv", out, g -> new Tensor[]{g.mul(out).div(a).neg()}, a);
    }

    public static Tensor neg(Tensor a) {
        return Autograd.record("neg", rawUnary(UnaryOp.NEG, a, 0, 0), g -> new Tensor[]{g.neg()}, a);
    }

    public static Tensor exp(Tensor a) {
        Tensor out = rawUnary(UnaryOp.EXP, a, 0, 0);
        return Autograd.record("exp", out, g -> new Tensor[]{g.mul(out)}, a);
    }

    public static Tensor log(Tensor a) {
        return Autograd.record("log", rawUnary(UnaryOp.LOG, a, 0, 0), g -> new Tensor[]{g.div(a)}, a);
    }

    public static Tensor sqrt(Tensor a) {
        Tensor out = rawUnary(UnaryOp.SQRT, a, 0, 0);
        return Autograd.record("sqrt", out, g -> new Tensor[]{g.div(out).mul(0.5)}, a);
    }

    public static Tensor rsqrt(Tensor a) {
        Tensor out = rawUnary(UnaryOp.RSQRT, a, 0, 0);
        return Autograd.record("rsqrt", out, g -> new Tensor[]{g.mul(out.pow(3)).mul(-0.5)}, a);
    }

    public static Tensor abs(Tensor a) {
        return Autograd.record("abs", rawUnary(UnaryOp.ABS, a, 0, 0), g -> new Tensor[]{g.mul(rawUnary(UnaryOp.SIGN, a, 0, 0))}, a);
    }

    public static Tensor pow(Tensor a, double p) {
        Tensor out = rawUnary(UnaryOp.POW, a, p, 0);
        return Autograd.record("pow", out, g -> new Tensor[]{p == 0 ? g.mul(0.0) : g.mul(a.pow(p - 1)).mul(p)}, a);
    }

    /** PyTorch passes the gradient where min <= x <= max. */
    public static Tensor clamp(Tensor a, double min, double max) {
        Tensor out = rawUnary(UnaryOp.CLAMP, a, min, max);
        return Autograd.record("clamp", out, g -> {
            Tensor inside = rawBinary(BinaryOp.AND, compare(BinaryOp.GE, a, min), compare(BinaryOp.LE, a, max));
            return new Tensor[]{g.mul(inside.to(g.dtype()))};
        }, a);
    }

    public static Tensor clampMin(Tensor a, double min) { return clamp(a, min, Double.POSITIVE_INFINITY); }

    /** Its backward masks by the output (out > 0 exactly where a > 0), which the next layer keeps anyway. */
    public static Tensor relu(Tensor a) {
        Tensor out = rawUnary(UnaryOp.RELU, a, 0, 0);
        return Autograd.record("relu", out, g -> new Tensor[]{rawBinary(BinaryOp.RELU_GRAD, out, g)}, a);
    }

    /** Exact (erf) GELU, nn.GELU's default. */
    public static Tensor gelu(Tensor a) {
        return Autograd.record("gelu", rawUnary(UnaryOp.GELU, a, 0, 0), g -> new Tensor[]{rawBinary(BinaryOp.GELU_GRAD, a, g)}, a);
    }

    public static Tensor sigmoid(Tensor a) {
        Tensor out = rawUnary(UnaryOp.SIGMOID, a, 0, 0);
        return Autograd.record("sigmoid", out, g -> new Tensor[]{rawBinary(BinaryOp.SIGMOID_GRAD, out, g)}, a);
    }

    public static Tensor tanh(Tensor a) {
        Tensor out = rawUnary(UnaryOp.TANH, a, 0, 0);
        return Autograd.record("tanh", out, g -> new Tensor[]{rawBinary(BinaryOp.TANH_GRAD, out, g)}, a);
    }

    public static Tensor erf(Tensor a) {
        Tensor out = rawUnary(UnaryOp.ERF, a, 0, 0);
        return Autograd.record("erf", out, g -> new Tensor[]{g.mul(a.mul(a).neg().exp()).mul(2.0 / Math.sqrt(Math.PI))}, a);
    }

    public static Tensor softplus(Tensor a) { return softplus(a, 1.0, 20.0); }

    /** log(1 + exp(beta x)) / beta, linear above the threshold (PyTorch's defaults 1 and 20). */
    public static Tensor softplus(Tensor a, double beta, double threshold) {
        Tensor out = rawUnary(UnaryOp.SOFTPLUS, a, beta, threshold);
        return Autograd.record("softplus", out, g -> {
            Tensor linear = compare(BinaryOp.GT, a.mul(beta), threshold);
            Tensor s = rawUnary(UnaryOp.SIGMOID, rawUnary(UnaryOp.MUL_SCALAR, a, beta, 0), 0, 0);
            return new Tensor[]{where(linear, g, g.mul(s))};
        }, a);
    }
}
