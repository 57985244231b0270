package dev.maskseg.engine.ops;

import dev.maskseg.engine.Shapes;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.PackedWeights;

import java.util.Arrays;

/** matmul with PyTorch's 1-D and broadcast-batch rules, and linear. */
public final class LinAlg {
    private LinAlg() {}

    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) throw new IllegalArgumentException("matmul: scalars are not allowed");
        if (a.dim() == 1 && b.dim() == 1) return a.unsqueeze(0).matmul(b.unsqueeze(1)).reshape();
        if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
        Backend be = Pointwise.sameBackend("matmul", a, b);
        int m = a.size(-2), k = a.size(-1), k2 = b.size(-2), n = b.size(-1);
        if (k != k2) {
            throw new IllegalArgumentException("matmul: shapes " + a.shapeString() + " and " + b.shapeString()
                    + " cannot be multiplied (" + k + " != " + k2 + ")");
        }
        if (a.dtype() != b.dtype()) throw new IllegalArgumentException("matmul: dtypes " + a.dtype() + " and " + b.dtype());
        int[] batch = Shapes.broadcast("matmul", Arrays.copyOf(a.shape(), a.dim() - 2), Arrays.copyOf(b.shape(), b.dim() - 2));
        int[] as = concat(batch, m, k), bs = concat(batch, k, n), os = concat(batch, m, n);
        Tensor out = Tensor.empty(be, a.dtype(), os);
        be.matmul(Pointwise.broadcastView(a, as), Pointwise.broadcastView(b, bs), out.view());
        return Autograd.record("matmul", out, g -> new Tensor[]{
                a.requiresGrad() ? Reduce.sumTo(matmul(g, b.transpose(-1, -2)), a.shape()) : null,
                b.requiresGrad() ? Reduce.sumTo(matmul(a.transpose(-1, -2), g), b.shape()) : null}, a, b);
    }

    private static int[] concat(int[] batch, int r, int c) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    /**
     * {@link #linear} of a frozen layer, without a gradient: the same values, and the backend keeps the weight's packed
     * form in packed across calls ({@link Backend#linearInference}), as ONNX Runtime's session prepacks its GEMM weights.
     * The weight must not change while packed lives.
     */
    public static Tensor linearInference(Tensor x, Tensor weight, Tensor bias, PackedWeights packed) {
        Backend be = Pointwise.sameBackend("linear_inference", x, weight, bias);
        if (weight.dim() != 2 || x.dim() == 0 || x.size(-1) != weight.size(1) || bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
            throw new IllegalArgumentException("linear_inference: input " + x.shapeString() + ", weight " + weight.shapeString()
                    + (bias == null ? "" : ", bias " + bias.shapeString()) + " do not fit [..., in], [out, in], [out]");
        }
        if (x.dtype() != weight.dtype() || bias != null && bias.dtype() != weight.dtype()) {
            throw new IllegalArgumentException("linear_inference: dtypes " + x.dtype() + ", " + weight.dtype() + (bias == null ? "" : ", " + bias.dtype()));
        }
        if (GradMode.isEnabled() && (x.requiresGrad() || weight.requiresGrad() || bias != null && bias.requiresGrad())) {
            throw new IllegalStateException("linear_inference: a frozen layer has no backward; call it under GradMode.noGrad() or on inputs without grad");
        }
        int rows = x.numel() / Math.max(1, x.size(-1)), out = weight.size(0);
        Tensor flat = x.contiguous().reshape(rows, x.size(-1));
        Tensor y = Tensor.empty(be, x.dtype(), rows, out);
        be.linearInference(flat.view(), weight.contiguous().view(), bias == null ? null : bias.contiguous().view(), packed, y.view());
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = out;
        return y.reshape(shape);
    }

    /** x @ weight^T + bias, weight [out, in] as nn.Linear; leading dims of x are folded into one GEMM. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input " + x.shapeString() + " does not match weight " + weight.shapeString());
        }
        int[] lead = Arrays.copyOf(x.shape(), x.dim() - 1);
        Tensor flat = x.dim() == 2 ? x : x.reshape(-1, x.size(-1));
        Tensor y = matmul(flat, weight.t());
        boolean record = y.requiresGrad() || bias != null && bias.requiresGrad() && GradMode.isEnabled();
        if (bias != null && !record && bias.dim() == 1 && bias.size(0) == y.size(-1) && y.dtype() == bias.dtype()) {
            // nothing to record: the bias goes into the fresh product in place (no second [rows, out] tensor to allocate)
            y.backend().binary(BinaryOp.ADD, y.view(), bias.to(y.backend()).view().asRows(y.size(0)), y.view());
        } else if (bias != null) {
            y = y.add(bias);
        }
        return x.dim() == 2 ? y : y.reshape(concat(lead, 1, weight.size(0))).squeeze(lead.length);
    }
}
