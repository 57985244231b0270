package dev.maskseg.engine;

import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.autograd.GradFn;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.LinAlg;
import dev.maskseg.engine.ops.Pointwise;
import dev.maskseg.engine.ops.Reduce;
import dev.maskseg.engine.storage.HostStorage;
import dev.maskseg.engine.storage.Storage;

import java.util.Arrays;

/**
 * An n-dimensional strided view over a backend's storage, with define-by-run autograd.
 * Views (view, permute, transpose, narrow, select, expand, squeeze, unsqueeze) share storage;
 * every other op allocates a contiguous result. Element counts are bounded by Java array size.
 * {@link #close} is optional, as in DJL: it lets the next allocation of the same size reuse the buffer.
 */
public final class Tensor implements AutoCloseable {
    private Backend backend;      // not final: setData swaps a leaf's data (Module.to) keeping its identity
    private Storage storage;
    private int offset;
    private final int[] shape;
    private int[] strides;
    private boolean requiresGrad;
    private Tensor grad;
    private GradFn gradFn;

    public Tensor(Backend backend, Storage storage, int offset, int[] shape, int[] strides) {
        this.backend = backend;
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    // ------------------------------------------------------------------ factories

    public static Tensor empty(Backend backend, DType dtype, int... shape) {
        int n = Shapes.numel(shape);
        return new Tensor(backend, backend.allocate(dtype, n), 0, shape.clone(), View.contiguousStrides(shape));
    }

    public static Tensor empty(DType dtype, int... shape) { return empty(Backends.defaultBackend(), dtype, shape); }

    /** torch.empty: for an op's output that its kernel overwrites whole; the contents are unspecified. */
    public static Tensor uninitialized(Backend backend, DType dtype, int... shape) {
        int n = Shapes.numel(shape);
        return new Tensor(backend, backend.allocateUninitialized(dtype, n), 0, shape.clone(), View.contiguousStrides(shape));
    }

    public static Tensor zeros(int... shape) { return empty(DType.FLOAT32, shape); }

    public static Tensor zeros(DType dtype, int... shape) { return empty(dtype, shape); }

    public static Tensor ones(int... shape) { return full(1.0, shape); }

    public static Tensor full(double value, int... shape) { return full(DType.FLOAT32, value, shape); }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = empty(dtype, shape);
        t.backend.fill(t.view(), value);
        return t;
    }

    public static Tensor scalar(double value) { return full(value); }

    /** 0, 1, ..., n-1 as INT64. */
    public static Tensor arange(int n) { return arange(DType.INT64, 0, n, 1); }

    public static Tensor arange(DType dtype, double start, double end, double step) {
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        HostStorage h = HostStorage.allocate(dtype, n);
        for (int i = 0; i < n; i++) h.set(i, start + i * step);
        return fromHost(h, n);
    }

    public static Tensor of(float[] data, int... shape) {
        return fromHost(new HostStorage.F32(data.clone()), checkSize(data.length, shape));
    }

    public static Tensor of(double[] data, int... shape) {
        return fromHost(new HostStorage.F64(data.clone()), checkSize(data.length, shape));
    }

    public static Tensor ofLongs(long[] data, int... shape) {
        return fromHost(new HostStorage.I64(data.clone()), checkSize(data.length, shape));
    }

    public static Tensor ofBools(boolean[] data, int... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (data[i] ? 1 : 0);
        return fromHost(new HostStorage.U8(b, DType.BOOL), checkSize(data.length, shape));
    }

    /** Wraps a host buffer (not copied) on the default backend. */
    public static Tensor fromHost(HostStorage host, int... shape) {
        Backend b = Backends.defaultBackend();
        return new Tensor(b, b.fromHost(host), 0, shape.clone(), View.contiguousStrides(shape));
    }

    public static Tensor rand(Generator g, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) g.nextDouble();
        return fromHost(new HostStorage.F32(d), shape);
    }

    public static Tensor randn(Generator g, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) g.nextGaussian();
        return fromHost(new HostStorage.F32(d), shape);
    }

    private static int[] checkSize(int n, int[] shape) {
        if (Shapes.numel(shape) != n) {
            throw new IllegalArgumentException("Tensor.of: " + n + " values do not fill shape " + Arrays.toString(shape));
        }
        return shape;
    }

    // ------------------------------------------------------------------ metadata

    public Backend backend() { return backend; }

    public Storage storage() {
        checkOpen();
        return storage;
    }

    public int offset() { return offset; }

    public int[] shape() { return shape.clone(); }

    public int[] strides() { return strides.clone(); }

    public int dim() { return shape.length; }

    public int size(int d) { return shape[Shapes.wrapDim(d, shape.length)]; }

    public int numel() { return Shapes.numel(shape); }

    public DType dtype() { return storage.dtype(); }

    public String shapeString() { return Arrays.toString(shape); }

    /** What backends see: storage plus a strided window. */
    public View view() {
        checkOpen();
        return new View(storage, offset, shape, strides);
    }

    /**
     * Declares this tensor, and every view sharing its storage, done with. When it spans its whole host float storage,
     * which an op allocated and no backward step saved, the buffer goes back to
     * {@link dev.maskseg.engine.storage.FloatBufferPool} for the next allocation of that size, and using the tensor or
     * any of those views afterwards throws (closing again does nothing). Otherwise (a view of part of a storage, a wrapped caller's array, a tensor
     * autograd saved, a device tensor) nothing happens and the garbage collector frees it as before.
     */
    @Override
    public void close() {
        if (storage instanceof HostStorage h && !h.released() && offset == 0 && numel() == h.length()
                && new View(storage, offset, shape, strides).isContiguous()) h.release();
    }

    private void checkOpen() {
        if (storage instanceof HostStorage h && h.released()) {
            throw new IllegalStateException("tensor " + shapeString() + " used after close(): its buffer may hold another tensor's data");
        }
    }

    public boolean isContiguous() { return view().isContiguous(); }

    // ------------------------------------------------------------------ autograd

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as needing gradients (returns this). */
    public Tensor requiresGrad(boolean on) {
        if (on && !dtype().isFloating()) throw new IllegalArgumentException("only floating tensors can require grad, got " + dtype());
        if (gradFn != null && !on) throw new IllegalStateException("cannot turn off requiresGrad on a non-leaf; use detach()");
        requiresGrad = on;
        return this;
    }

    public Tensor grad() { return grad; }

    public void setGrad(Tensor g) { grad = g; }

    public void zeroGrad() { grad = null; }

    public GradFn gradFn() { return gradFn; }

    public void setGradFn(GradFn fn) {
        gradFn = fn;
        requiresGrad = true;
    }

    public boolean isLeaf() { return gradFn == null; }

    /** Called by the backward sweep on leaves. */
    public void accumulateGrad(Tensor g) {
        if (!requiresGrad) return;
        grad = grad == null ? g.contiguous().detach() : grad.add(g);
    }

    /** d(this)/d(leaves) for a scalar (one-element) tensor. */
    public void backward() {
        if (numel() != 1) throw new IllegalStateException("backward() needs a one-element tensor, got " + shapeString());
        backward(Tensor.full(dtype(), 1.0, shape).to(backend));
    }

    public void backward(Tensor gradient) { Autograd.backward(this, gradient); }

    /** The same data without history. */
    public Tensor detach() { return new Tensor(backend, storage, offset, shape, strides); }

    // ------------------------------------------------------------------ conversion and data

    public Tensor contiguous() { return isContiguous() ? this : Pointwise.copyOf(this); }

    public Tensor clone() { return Pointwise.copyOf(this); }

    public Tensor to(DType dtype) { return dtype == dtype() ? this : Pointwise.cast(this, dtype); }

    /** A copy on another backend (the only place data crosses backends). */
    public Tensor to(Backend target) {
        if (target == backend) return this;
        HostStorage copy = Shapes.copyHost(toHost());
        Tensor out = new Tensor(target, target.fromHost(copy), 0, shape.clone(), View.contiguousStrides(shape));
        return Autograd.record("to", out, g -> new Tensor[]{g.to(backend)}, this);
    }

    /** The elements in row-major order on the host (may share the storage: do not mutate). */
    public HostStorage toHost() {
        Tensor c = contiguous();
        HostStorage h = backend.toHost(c.storage);
        if (c.offset == 0 && h.length() == numel()) return h;
        HostStorage out = HostStorage.allocate(dtype(), numel());
        boolean floating = dtype().isFloating();
        for (int i = 0; i < out.length(); i++) {
            if (floating) out.set(i, h.get(c.offset + i));
            else out.setLong(i, h.getLong(c.offset + i));
        }
        return out;
    }

    public float[] toFloatArray() { return ((HostStorage.F32) to(DType.FLOAT32).toHost()).data.clone(); }

    public double[] toDoubleArray() { return ((HostStorage.F64) to(DType.FLOAT64).toHost()).data.clone(); }

    public long[] toLongArray() { return ((HostStorage.I64) to(DType.INT64).toHost()).data.clone(); }

    public double item() {
        if (numel() != 1) throw new IllegalStateException("item() needs a one-element tensor, got " + shapeString());
        return backend.toHost(storage).get(offset);
    }

    public double get(int... index) {
        if (index.length != shape.length) throw new IllegalArgumentException("get: " + index.length + " indices for " + shapeString());
        int off = offset;
        for (int d = 0; d < index.length; d++) off += Shapes.checkIndex(index[d], shape[d], "get") * strides[d];
        return backend.toHost(storage).get(off);
    }

    // ------------------------------------------------------------------ views (differentiable)

    /** Same elements, new shape; -1 infers one dim. Needs a contiguous tensor (see {@link #reshape}). */
    public Tensor view(int... newShape) {
        int[] s = Shapes.inferShape(newShape, numel());
        if (!isContiguous()) {
            throw new IllegalStateException("view " + Arrays.toString(s) + " of non-contiguous " + shapeString() + "; use reshape()");
        }
        Tensor out = new Tensor(backend, storage, offset, s, View.contiguousStrides(s));
        int[] orig = shape;
        return Autograd.record("view", out, g -> new Tensor[]{g.reshape(orig)}, this);
    }

    public Tensor reshape(int... newShape) { return contiguous().view(newShape); }

    public Tensor flatten(int startDim, int endDim) {
        int s = Shapes.wrapDim(startDim, dim()), e = Shapes.wrapDim(endDim, dim());
        int[] ns = new int[dim() - (e - s)];
        int k = 0;
        for (int d = 0; d < s; d++) ns[k++] = shape[d];
        int m = 1;
        for (int d = s; d <= e; d++) m *= shape[d];
        ns[k++] = m;
        for (int d = e + 1; d < dim(); d++) ns[k++] = shape[d];
        return reshape(ns);
    }

    public Tensor permute(int... dims) {
        int[] p = Shapes.checkPermutation(dims, dim());
        int[] s = new int[p.length], st = new int[p.length], inv = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            s[i] = shape[p[i]];
            st[i] = strides[p[i]];
            inv[p[i]] = i;
        }
        Tensor out = new Tensor(backend, storage, offset, s, st);
        return Autograd.record("permute", out, g -> new Tensor[]{g.permute(inv)}, this);
    }

    public Tensor transpose(int a, int b) {
        int[] p = new int[dim()];
        for (int i = 0; i < p.length; i++) p[i] = i;
        a = Shapes.wrapDim(a, dim());
        b = Shapes.wrapDim(b, dim());
        p[a] = b;
        p[b] = a;
        return permute(p);
    }

    /** Transpose of a 2-D tensor. */
    public Tensor t() {
        if (dim() != 2) throw new IllegalStateException("t() needs a 2-D tensor, got " + shapeString());
        return transpose(0, 1);
    }

    /** Elements start..start+length-1 along dim. */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shapes.wrapDim(dim, dim());
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IndexOutOfBoundsException("narrow: [" + start + ", " + (start + length) + ") out of dim " + d + " of " + shapeString());
        }
        int[] s = shape.clone();
        s[d] = length;
        Tensor out = new Tensor(backend, storage, offset + start * strides[d], s, strides.clone());
        int[] orig = shape;
        return Autograd.record("narrow", out, g -> new Tensor[]{Index.padDim(g, d, start, orig[d] - start - length)}, this);
    }

    /** Python-style slice start:end:step along dim (negative start/end count from the end). */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shapes.wrapDim(dim, dim());
        int n = shape[d];
        int s0 = Math.min(Math.max(start < 0 ? start + n : start, 0), n);
        int e0 = Math.min(Math.max(end < 0 ? end + n : end, s0), n);
        if (step == 1) return narrow(d, s0, e0 - s0);
        if (step < 1) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        Tensor idx = arange(DType.INT64, s0, e0, step).to(backend);
        return Index.indexSelect(this, d, idx);
    }

    /** Removes dim by taking index i. */
    public Tensor select(int dim, int index) {
        int d = Shapes.wrapDim(dim, dim());
        return narrow(d, Shapes.checkIndex(index, shape[d], "select"), 1).squeeze(d);
    }

    public Tensor squeeze(int dim) {
        int d = Shapes.wrapDim(dim, dim());
        if (shape[d] != 1) return this;
        int[] s = Shapes.remove(shape, d);
        Tensor out = new Tensor(backend, storage, offset, s, Shapes.remove(strides, d));
        return Autograd.record("squeeze", out, g -> new Tensor[]{g.unsqueeze(d)}, this);
    }

    public Tensor unsqueeze(int dim) {
        int d = Shapes.wrapDim(dim, dim() + 1);
        int[] s = Shapes.insert(shape, d, 1);
        int[] st = Shapes.insert(strides, d, d < dim() ? strides[d] * shape[d] : 1);
        Tensor out = new Tensor(backend, storage, offset, s, st);
        return Autograd.record("unsqueeze", out, g -> new Tensor[]{g.squeeze(d)}, this);
    }

    /** Broadcasts size-1 dims (and new leading dims) to the target shape without copying. */
    public Tensor expand(int... target) {
        if (Arrays.equals(target, shape)) return this;
        int[] st = Shapes.broadcastStrides(shape, strides, target);
        Tensor out = new Tensor(backend, storage, offset, target.clone(), st);
        int[] orig = shape;
        return Autograd.record("expand", out, g -> new Tensor[]{Reduce.sumTo(g, orig)}, this);
    }

    // ------------------------------------------------------------------ in-place (never recorded)

    /** this[...] = src (broadcast), for optimizers, buffers and initialisers. */
    /**
     * Replaces this leaf's data with {@code src}'s (same shape; any dtype or backend), as PyTorch's
     * {@code param.data = src}: modules move and cast their parameters in place, so the fields that hold
     * them stay valid. Views taken before keep the old data; the gradient is dropped.
     */
    public Tensor setData(Tensor src) {
        if (gradFn != null) throw new IllegalStateException("setData on a non-leaf tensor " + shapeString());
        if (!java.util.Arrays.equals(shape, src.shape)) {
            throw new IllegalArgumentException("setData: shape " + src.shapeString() + " does not match " + shapeString());
        }
        if (requiresGrad && !src.dtype().isFloating()) throw new IllegalArgumentException("setData: a tensor that requires grad must stay floating");
        Tensor c = src.contiguous();
        backend = c.backend;
        storage = c.storage;
        offset = c.offset;
        strides = c.strides.clone();
        grad = null;
        return this;
    }

    public Tensor copy_(Tensor src) {
        checkInPlace("copy_");
        backend.copy(src.to(backend).expand(shape).view(), view());
        return this;
    }

    /** this = a·this + b·y in place (each product rounded, then the sum); y has this tensor's shape and dtype. */
    public Tensor scaledAdd_(double a, Tensor y, double b) {
        checkInPlace("scaled_add_");
        Tensor other = y.to(backend);
        Pointwise.checkScaledAdd(this, other);
        backend.scaledAdd(a, view(), b, other.view(), view());
        return this;
    }

    public Tensor fill_(double value) {
        checkInPlace("fill_");
        backend.fill(view(), value);
        return this;
    }

    private void checkInPlace(String op) {
        if (requiresGrad && GradMode.isEnabled()) {
            throw new IllegalStateException(op + " on a tensor that requires grad; wrap it in GradMode.noGrad()");
        }
    }

    // ------------------------------------------------------------------ op shortcuts

    public Tensor add(Tensor o) { return Pointwise.add(this, o); }

    public Tensor add(double s) { return Pointwise.addScalar(this, s); }

    public Tensor sub(Tensor o) { return Pointwise.sub(this, o); }

    public Tensor sub(double s) { return Pointwise.addScalar(this, -s); }

    public Tensor mul(Tensor o) { return Pointwise.mul(this, o); }

    public Tensor mul(double s) { return Pointwise.mulScalar(this, s); }

    public Tensor div(Tensor o) { return Pointwise.div(this, o); }

    public Tensor div(double s) { return Pointwise.mulScalar(this, 1.0 / s); }

    public Tensor neg() { return Pointwise.neg(this); }

    public Tensor pow(double p) { return Pointwise.pow(this, p); }

    public Tensor exp() { return Pointwise.exp(this); }

    public Tensor log() { return Pointwise.log(this); }

    public Tensor sqrt() { return Pointwise.sqrt(this); }

    public Tensor abs() { return Pointwise.abs(this); }

    public Tensor relu() { return Pointwise.relu(this); }

    public Tensor sigmoid() { return Pointwise.sigmoid(this); }

    public Tensor tanh() { return Pointwise.tanh(this); }

    public Tensor clamp(double min, double max) { return Pointwise.clamp(this, min, max); }

    public Tensor gt(double s) { return Pointwise.compare(dev.maskseg.engine.backend.BinaryOp.GT, this, s); }

    public Tensor lt(double s) { return Pointwise.compare(dev.maskseg.engine.backend.BinaryOp.LT, this, s); }

    public Tensor eq(double s) { return Pointwise.compare(dev.maskseg.engine.backend.BinaryOp.EQ, this, s); }

    public Tensor ne(double s) { return Pointwise.compare(dev.maskseg.engine.backend.BinaryOp.NE, this, s); }

    public Tensor ge(double s) { return Pointwise.compare(dev.maskseg.engine.backend.BinaryOp.GE, this, s); }

    public Tensor le(double s) { return Pointwise.compare(dev.maskseg.engine.backend.BinaryOp.LE, this, s); }

    public Tensor sum() { return Reduce.sum(this, Shapes.allDims(dim()), false); }

    public Tensor sum(int dim, boolean keepdim) { return Reduce.sum(this, new int[]{dim}, keepdim); }

    public Tensor mean() { return Reduce.mean(this, Shapes.allDims(dim()), false); }

    public Tensor mean(int dim, boolean keepdim) { return Reduce.mean(this, new int[]{dim}, keepdim); }

    public Tensor argmax(int dim, boolean keepdim) { return Reduce.argmax(this, dim, keepdim); }

    public Tensor matmul(Tensor o) { return LinAlg.matmul(this, o); }

    @Override
    public String toString() { return TensorFormat.format(this); }
}
