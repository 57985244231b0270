package dev.maskseg.engine.ops;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Shapes;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.backend.BinaryOp;
import dev.maskseg.engine.backend.ReduceOp;
import dev.maskseg.engine.backend.View;

import java.util.Arrays;

/** Reductions over one or several dims (keepdim as in PyTorch), plus top-k. */
public final class Reduce {
    private Reduce() {}

    /** Values and INT64 indices of max/min/topk. */
    public record ValuesIndices(Tensor values, Tensor indices) {}

    private static boolean[] reducedMask(int[] dims, int rank) {
        boolean[] m = new boolean[rank];
        for (int d : dims) m[Shapes.wrapDim(d, rank)] = true;
        return m;
    }

    /** Shape with reduced dims kept as 1. */
    static int[] keptShape(int[] shape, boolean[] reduced) {
        int[] s = shape.clone();
        for (int d = 0; d < s.length; d++) if (reduced[d]) s[d] = 1;
        return s;
    }

    static int[] outShape(int[] shape, boolean[] reduced, boolean keepdim) {
        if (keepdim) return keptShape(shape, reduced);
        return java.util.stream.IntStream.range(0, shape.length).filter(d -> !reduced[d]).map(d -> shape[d]).toArray();
    }

    /** Runs the backend reduction with reduced dims moved last; result has the kept shape. */
    static Tensor[] raw(ReduceOp op, Tensor t, boolean[] reduced, boolean withIndices) {
        int r = t.dim(), k = 0;
        int[] perm = new int[r];
        for (int d = 0; d < r; d++) if (!reduced[d]) perm[k++] = d;
        int nRed = r - k;
        for (int d = 0; d < r; d++) if (reduced[d]) perm[k++] = d;
        int[] sh = t.shape(), st = t.strides(), ps = new int[r], pst = new int[r];
        for (int i = 0; i < r; i++) {
            ps[i] = sh[perm[i]];
            pst[i] = st[perm[i]];
        }
        int[] kept = keptShape(sh, reduced);
        if (op != ReduceOp.SUM && Shapes.numel(sh) == 0) {
            throw new IllegalArgumentException(op.name().toLowerCase() + ": cannot reduce an empty tensor " + t.shapeString());
        }
        Tensor out = Tensor.empty(t.backend(), t.dtype(), kept);
        Tensor idx = withIndices ? Tensor.empty(t.backend(), DType.INT64, kept) : null;
        t.backend().reduce(op, new View(t.storage(), t.offset(), ps, pst), nRed, out.view(), idx == null ? null : idx.view());
        return new Tensor[]{out, idx};
    }

    public static Tensor sum(Tensor t, int[] dims, boolean keepdim) {
        boolean[] red = reducedMask(dims, t.dim());
        Tensor kept = raw(ReduceOp.SUM, t, red, false)[0];
        int[] inShape = t.shape(), keptShape = kept.shape();
        Tensor out = keepdim ? kept : kept.view(outShape(inShape, red, false));
        return Autograd.record("sum", out, g -> new Tensor[]{g.reshape(keptShape).expand(inShape).contiguous()}, t);
    }

    public static Tensor mean(Tensor t, int[] dims, boolean keepdim) {
        boolean[] red = reducedMask(dims, t.dim());
        int n = 1;
        for (int d = 0; d < t.dim(); d++) if (red[d]) n *= t.size(d);
        return sum(t, dims, keepdim).div(n);
    }

    /** Max over several dims; ties share the gradient evenly (PyTorch's amax). */
    public static Tensor amax(Tensor t, int[] dims, boolean keepdim) { return extreme(ReduceOp.MAX, t, dims, keepdim); }

    public static Tensor amin(Tensor t, int[] dims, boolean keepdim) { return extreme(ReduceOp.MIN, t, dims, keepdim); }

    private static Tensor extreme(ReduceOp op, Tensor t, int[] dims, boolean keepdim) {
        boolean[] red = reducedMask(dims, t.dim());
        Tensor kept = raw(op, t, red, false)[0];
        int[] inShape = t.shape();
        Tensor out = keepdim ? kept : kept.view(outShape(inShape, red, false));
        return Autograd.record(op.name().toLowerCase(), out, g -> {
            Tensor hit = Pointwise.compare(BinaryOp.EQ, t, kept).to(g.dtype());
            Tensor count = sum(hit, dims, true);
            return new Tensor[]{hit.mul(g.reshape(kept.shape())).div(count)};
        }, t);
    }

    /** torch.max(t, dim): values and the first index of the maximum; the gradient goes to that index. */
    public static ValuesIndices max(Tensor t, int dim, boolean keepdim) { return withIndex(ReduceOp.MAX, t, dim, keepdim); }

    public static ValuesIndices min(Tensor t, int dim, boolean keepdim) { return withIndex(ReduceOp.MIN, t, dim, keepdim); }

    private static ValuesIndices withIndex(ReduceOp op, Tensor t, int dim, boolean keepdim) {
        int d = Shapes.wrapDim(dim, t.dim());
        boolean[] red = reducedMask(new int[]{d}, t.dim());
        Tensor[] r = raw(op, t, red, true);
        int[] os = outShape(t.shape(), red, keepdim), inShape = t.shape();
        Tensor idxKept = r[1];
        Tensor values = keepdim ? r[0] : r[0].view(os);
        values = Autograd.record(op.name().toLowerCase() + "_dim", values, g -> {
            Tensor z = Tensor.zeros(g.dtype(), inShape).to(g.backend());
            return new Tensor[]{Index.scatterAdd(z, d, idxKept, g.reshape(idxKept.shape()))};
        }, t);
        return new ValuesIndices(values, keepdim ? idxKept : idxKept.view(os));
    }

    public static Tensor argmax(Tensor t, int dim, boolean keepdim) { return max(t.detach(), dim, keepdim).indices(); }

    public static Tensor argmin(Tensor t, int dim, boolean keepdim) { return min(t.detach(), dim, keepdim).indices(); }

    /** Variance; unbiased divides by n - 1 (torch.var's default correction). */
    public static Tensor var(Tensor t, int[] dims, boolean unbiased, boolean keepdim) {
        boolean[] red = reducedMask(dims, t.dim());
        int n = 1;
        for (int d = 0; d < t.dim(); d++) if (red[d]) n *= t.size(d);
        Tensor centered = t.sub(mean(t, dims, true));
        return sum(centered.mul(centered), dims, keepdim).div(Math.max(unbiased ? n - 1 : n, 0));
    }

    public static Tensor std(Tensor t, int[] dims, boolean unbiased, boolean keepdim) {
        return var(t, dims, unbiased, keepdim).sqrt();
    }

    /** log(sum(exp(t))) computed stably around the (constant) max. */
    public static Tensor logsumexp(Tensor t, int[] dims, boolean keepdim) {
        Tensor m = amax(t.detach(), dims, true);
        Tensor finiteM = Pointwise.where(Pointwise.compare(BinaryOp.EQ, m.abs(), Double.POSITIVE_INFINITY),
                Tensor.zeros(m.dtype(), 1).to(m.backend()), m);
        Tensor s = sum(t.sub(finiteM).exp(), dims, true).log().add(finiteM);
        return keepdim ? s : s.reshape(outShape(t.shape(), reducedMask(dims, t.dim()), false));
    }

    /** The k largest (or smallest) along dim, sorted, ties by lower index (docs/design.md §4). */
    public static ValuesIndices topk(Tensor t, int k, int dim, boolean largest) {
        int d = Shapes.wrapDim(dim, t.dim());
        if (k < 0 || k > t.size(d)) throw new IllegalArgumentException("topk: k=" + k + " out of range for dim " + d + " of " + t.shapeString());
        Tensor moved = t.transpose(d, -1).detach();
        int[] os = moved.shape();
        os[os.length - 1] = k;
        Tensor vals = Tensor.empty(t.backend(), t.dtype(), os), idx = Tensor.empty(t.backend(), DType.INT64, os);
        t.backend().topk(moved.view(), k, largest, vals.view(), idx.view());
        Tensor values = vals.transpose(d, -1).contiguous(), indices = idx.transpose(d, -1).contiguous();
        int[] inShape = t.shape();
        values = Autograd.record("topk", values, g -> {
            Tensor z = Tensor.zeros(g.dtype(), inShape).to(g.backend());
            return new Tensor[]{Index.scatterAdd(z, d, indices, g)};
        }, t);
        return new ValuesIndices(values, indices);
    }

    /** Sums g down to shape (the adjoint of broadcasting). */
    public static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        int[] dims = java.util.stream.IntStream.range(0, gs.length)
                .filter(d -> d < lead || (shape[d - lead] == 1 && gs[d] != 1)).toArray();
        Tensor s = dims.length == 0 ? g : sum(g, dims, true);
        return s.reshape(shape);
    }
}
