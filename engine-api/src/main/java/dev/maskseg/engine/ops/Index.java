package dev.maskseg.engine.ops;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Shapes;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.IndexRangeException;
import dev.maskseg.engine.backend.View;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** cat/stack/split, gather/scatter, index_select, masks, one_hot and constant padding. */
public final class Index {
    private Index() {}

    public static Tensor cat(List<Tensor> ts, int dim) {
        if (ts.isEmpty()) throw new IllegalArgumentException("cat: no tensors");
        Tensor first = ts.getFirst();
        int d = Shapes.wrapDim(dim, first.dim());
        Backend be = Pointwise.sameBackend("cat", ts.toArray(new Tensor[0]));
        int total = 0;
        for (Tensor t : ts) {
            if (t.dim() != first.dim()) throw new IllegalArgumentException("cat: ranks differ: " + first.shapeString() + " vs " + t.shapeString());
            for (int i = 0; i < t.dim(); i++) {
                if (i != d && t.size(i) != first.size(i)) {
                    throw new IllegalArgumentException("cat: shapes " + first.shapeString() + " and " + t.shapeString() + " differ outside dim " + d);
                }
            }
            total += t.size(d);
        }
        int[] os = first.shape();
        os[d] = total;
        Tensor out = Tensor.empty(be, first.dtype(), os);
        int at = 0;
        int[] sizes = new int[ts.size()];
        try (var ng = GradMode.noGrad()) {
            for (int i = 0; i < ts.size(); i++) {
                Tensor t = ts.get(i);
                sizes[i] = t.size(d);
                be.copy(t.view(), out.narrow(d, at, sizes[i]).view());
                at += sizes[i];
            }
        }
        return Autograd.record("cat", out, g -> {
            Tensor[] gs = new Tensor[sizes.length];
            int off = 0;
            for (int i = 0; i < sizes.length; i++) {
                gs[i] = g.narrow(d, off, sizes[i]).contiguous();
                off += sizes[i];
            }
            return gs;
        }, ts.toArray(new Tensor[0]));
    }

    public static Tensor stack(List<Tensor> ts, int dim) {
        int d = Shapes.wrapDim(dim, ts.getFirst().dim() + 1);
        return cat(ts.stream().map(t -> t.unsqueeze(d)).toList(), d);
    }

    /** Pieces of the given sizes along dim (views). */
    public static List<Tensor> split(Tensor t, int[] sizes, int dim) {
        int d = Shapes.wrapDim(dim, t.dim());
        if (Arrays.stream(sizes).sum() != t.size(d)) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " do not add up to dim " + d + " of " + t.shapeString());
        }
        List<Tensor> out = new ArrayList<>();
        int at = 0;
        for (int s : sizes) {
            out.add(t.narrow(d, at, s));
            at += s;
        }
        return out;
    }

    /** torch.split(t, size, dim): equal pieces of size, the last may be smaller. */
    public static List<Tensor> split(Tensor t, int size, int dim) {
        int n = t.size(dim);
        int pieces = Math.ceilDiv(n, size);
        int[] sizes = new int[pieces];
        for (int i = 0; i < pieces; i++) sizes[i] = Math.min(size, n - i * size);
        return split(t, sizes, dim);
    }

    /** torch.chunk: ceil(n / chunks) per piece. */
    public static List<Tensor> chunk(Tensor t, int chunks, int dim) { return split(t, Math.ceilDiv(t.size(dim), chunks), dim); }

    public static Tensor indexSelect(Tensor src, int dim, Tensor index) {
        int d = Shapes.wrapDim(dim, src.dim());
        checkIndexTensor("index_select", index);
        if (index.dim() != 1) throw new IllegalArgumentException("index_select: index must be 1-D, got " + index.shapeString());
        int[] os = src.shape();
        os[d] = index.size(0);
        Tensor out = Tensor.empty(src.backend(), src.dtype(), os);
        View along = alongDim(index, os, d);
        try {
            src.backend().gather(src.view(), d, along, out.view());
        } catch (IndexRangeException e) {
            throw e.as("index_select");
        }
        int[] inShape = src.shape();
        return Autograd.record("index_select", out, g -> {
            Tensor z = Tensor.zeros(g.dtype(), inShape).to(g.backend());
            z.backend().scatterAdd(z.view(), d, along, g.contiguous().view());
            return new Tensor[]{z, null};
        }, src, null);
    }

    /**
     * A 1-D index seen as a gather / scatter_add index of the given shape: index[i] at every position whose
     * coordinate along dim is i (stride 0 along every other dim), so index_select is a gather and index_add a
     * scatter_add.
     */
    private static View alongDim(Tensor index, int[] shape, int dim) {
        View v = index.view();
        int[] strides = new int[shape.length];
        strides[dim] = v.strides()[0];
        return new View(v.storage(), v.offset(), shape.clone(), strides);
    }

    public static Tensor gather(Tensor src, int dim, Tensor index) {
        int d = Shapes.wrapDim(dim, src.dim());
        checkIndexTensor("gather", index);
        if (index.dim() != src.dim()) throw new IllegalArgumentException("gather: index " + index.shapeString() + " vs input " + src.shapeString());
        Tensor out = Tensor.empty(src.backend(), src.dtype(), index.shape());
        src.backend().gather(src.view(), d, index.view(), out.view());
        int[] inShape = src.shape();
        return Autograd.record("gather", out, g -> {
            Tensor z = Tensor.zeros(g.dtype(), inShape).to(g.backend());
            return new Tensor[]{scatterAdd(z, d, index, g), null};
        }, src, null);
    }

    /** Out-of-place torch.scatter_add: a copy of base with src added at index along dim. */
    public static Tensor scatterAdd(Tensor base, int dim, Tensor index, Tensor src) {
        int d = Shapes.wrapDim(dim, base.dim());
        checkIndexTensor("scatter_add", index);
        Tensor out;
        try (var ng = GradMode.noGrad()) {
            out = base.clone();
        }
        base.backend().scatterAdd(out.view(), d, index.view(), src.view());
        return Autograd.record("scatter_add", out, g -> new Tensor[]{g, null, gather(g, d, index)}, base, null, src);
    }

    public static Tensor maskedFill(Tensor t, Tensor mask, double value) {
        Tensor v = Tensor.full(t.dtype(), value, 1).to(t.backend());
        return Pointwise.where(mask, v, t);
    }

    /** The elements where mask is set, as a 1-D tensor (mask broadcast to t). */
    public static Tensor maskedSelect(Tensor t, Tensor mask) {
        int[] shape = Shapes.broadcast("masked_select", t.shape(), mask.shape());
        Tensor m = mask.expand(shape).contiguous().to(DType.INT64);
        long[] flags = m.toLongArray();
        int count = 0;
        for (long f : flags) if (f != 0) count++;
        long[] idx = new long[count];
        for (int i = 0, k = 0; i < flags.length; i++) if (flags[i] != 0) idx[k++] = i;
        return indexSelect(t.expand(shape).reshape(-1), 0, Tensor.ofLongs(idx, count).to(t.backend()));
    }

    /** INT64 labels -> FLOAT32 one-hot in a new last dim. */
    public static Tensor oneHot(Tensor labels, int numClasses) {
        checkIndexTensor("one_hot", labels);
        int[] os = Shapes.insert(labels.shape(), labels.dim(), numClasses);
        Tensor z = Tensor.zeros(DType.FLOAT32, os).to(labels.backend());
        Tensor idx = labels.unsqueeze(-1);
        return scatterAdd(z, -1, idx, Tensor.ones(idx.shape()).to(labels.backend()));
    }

    /** Constant padding of the last dims, torch.nn.functional.pad order: (left, right, top, bottom, ...). */
    public static Tensor pad(Tensor t, int[] pads, double value) {
        if (pads.length % 2 != 0 || pads.length / 2 > t.dim()) {
            throw new IllegalArgumentException("pad: " + Arrays.toString(pads) + " for input " + t.shapeString());
        }
        int[] os = t.shape(), start = new int[t.dim()];
        for (int i = 0; i < pads.length / 2; i++) {
            int d = t.dim() - 1 - i;
            os[d] += pads[2 * i] + pads[2 * i + 1];
            start[d] = pads[2 * i];
            if (pads[2 * i] < 0 || pads[2 * i + 1] < 0) throw new IllegalArgumentException("pad: negative padding " + Arrays.toString(pads));
        }
        Tensor out = Tensor.full(t.dtype(), value, os).to(t.backend());
        Tensor window = out;
        for (int d = 0; d < t.dim(); d++) window = window.narrow(d, start[d], t.size(d));
        t.backend().copy(t.view(), window.view());
        return Autograd.record("pad", out, g -> {
            Tensor w = g;
            for (int d = 0; d < t.dim(); d++) w = w.narrow(d, start[d], t.size(d));
            return new Tensor[]{w.contiguous()};
        }, t);
    }

    /** Zero padding along one dim (the adjoint of narrow). */
    public static Tensor padDim(Tensor t, int dim, int before, int after) {
        int[] pads = new int[2 * (t.dim() - dim)];
        pads[pads.length - 2] = before;
        pads[pads.length - 1] = after;
        return pad(t, pads, 0.0);
    }

    private static void checkIndexTensor(String op, Tensor index) {
        if (index.dtype() != DType.INT64 && index.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": index must be INT64 or INT32, got " + index.dtype());
        }
    }
}
