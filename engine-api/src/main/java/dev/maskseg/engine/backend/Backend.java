package dev.maskseg.engine.backend;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.storage.HostStorage;
import dev.maskseg.engine.storage.Storage;

/**
 * The narrow kernel interface. Shapes, broadcasting and autograd live above it: every method gets
 * strided {@link View}s whose shapes already agree, and writes into views it is given. Outputs are
 * always contiguous and freshly allocated by the caller unless stated otherwise.
 * Implementations are found with {@link java.util.ServiceLoader} through {@link BackendProvider}.
 */
public interface Backend {
    String name();

    /** Human-readable device description (CPU model and threads, or GPU name and memory). */
    String device();

    /** Host threads this instance computes with; 0 when its parallelism is an accelerator's. */
    default int threads() { return 0; }

    /** Zero-filled. */
    Storage allocate(DType dtype, int length);

    /** For an output its kernel overwrites whole: the contents are unspecified (zeros unless the backend reuses buffers). */
    default Storage allocateUninitialized(DType dtype, int length) { return allocate(dtype, length); }

    /** A host copy of the storage (the same object for host backends). */
    HostStorage toHost(Storage storage);

    /** A storage of this backend holding the host data (the same object for host backends). */
    Storage fromHost(HostStorage host);

    // ---- pointwise ----
    void fill(View dst, double value);

    /** Strided copy with dtype conversion (dst may be non-contiguous). */
    void copy(View src, View dst);

    void unary(UnaryOp op, double p1, double p2, View src, View dst);

    void binary(BinaryOp op, View a, View b, View dst);

    /**
     * out = a·x + b·y for views of one shape, each product rounded to the element type before the sum, as
     * {@code x.mul(a).add(y.mul(b))}; out may be x or y itself (the in-place updates of SGD and of an EMA). This default
     * runs the two scalings and the sum as {@link #unary} and {@link #binary} kernels through temporaries; a backend may
     * fuse them into one pass with the same roundings.
     */
    default void scaledAdd(double a, View x, double b, View y, View out) {
        View ax = temporary(out), by = temporary(out);
        unary(UnaryOp.MUL_SCALAR, a, 0, x, ax);
        unary(UnaryOp.MUL_SCALAR, b, 0, y, by);
        binary(BinaryOp.ADD, ax, by, out);
    }

    private View temporary(View like) {
        return new View(allocate(like.dtype(), like.numel()), 0, like.shape().clone(), View.contiguousStrides(like.shape()));
    }

    /** dst = cond ? a : b. */
    void where(View cond, View a, View b, View dst);

    // ---- reductions ----
    /**
     * Reduces the last {@code reducedDims} dims of src into dst (contiguous, shape = leading dims).
     * indices (INT64, same shape as dst) may be given for MAX/MIN when reducedDims == 1: the first
     * position of the extreme value (lowest index wins ties).
     */
    void reduce(ReduceOp op, View src, int reducedDims, View dst, View indices);

    /** Along the last dim: the k largest (or smallest) values and their indices, ties by lower index. */
    void topk(View src, int k, boolean largest, View values, View indices);

    // ---- linear algebra ----
    /** dst[..., M, N] = a[..., M, K] @ b[..., K, N]; batch dims already broadcast to equal shapes. */
    void matmul(View a, View b, View dst);

    /**
     * Inference linear layer: out[M, N] = x[M, K] @ weight[N, K]ᵀ, then + bias[N] (may be null) as a second rounding, the
     * bits of matmul then add. The weight stays constant for as long as packed lives, so a backend may keep derived forms
     * of it there (its GEMM-packed transpose). No gradient. The default is matmul on the transposed view, then add.
     */
    default void linearInference(View x, View weight, View bias, PackedWeights packed, View out) {
        matmul(x, weight.transpose2d(), out);
        if (bias != null) binary(BinaryOp.ADD, out, bias.asRows(out.shape()[0]), out);
    }

    void conv2d(View x, View weight, View bias, ConvParams p, View out);

    /**
     * True when {@link #conv2d} and {@link #conv2dInference} write every element of out whatever it held, so the op may
     * hand them an uninitialized output (a reused buffer then skips its zero fill). Otherwise out arrives zeroed and
     * the backend may accumulate into it.
     */
    default boolean convOverwritesOutput() { return false; }

    /**
     * Inference convolution with its epilogue fused: out = conv2d(x, weight, bias) + residual, then max(·, 0) when relu
     * (residual may be null; it has out's shape). The weight stays constant for as long as packed lives, so a backend may
     * keep derived forms of it there. No gradient. The default composes conv2d with this backend's pointwise kernels.
     */
    default void conv2dInference(View x, View weight, View bias, ConvParams p, View residual, boolean relu, PackedWeights packed, View out) {
        conv2d(x, weight, bias, p, out);
        if (residual != null) binary(BinaryOp.ADD, out, residual, out);
        if (relu) unary(UnaryOp.RELU, 0, 0, out, out);
    }

    /**
     * True when {@link #conv2dInferenceBlocked} takes a layer of cin input and cout output channels with these params on
     * dtype activations whose zero border is xBorder wide. Callers keep activations in the channels-blocked layout
     * ({@link dev.maskseg.engine.ops.ChannelBlocked}) only through layers it takes. Default: none.
     */
    default boolean blockedConv(DType dtype, int cin, int cout, ConvParams p, int xBorder) { return false; }

    /**
     * {@link #conv2dInference} on activations in the channels-blocked layout [N, C/16, H + 2·border, W + 2·border, 16]
     * with zeros in the border: x with xBorder (at least the padding), residual (may be null) with none, out with
     * outBorder, whose zeros this call writes too. Only for layers {@link #blockedConv} takes. out may be residual itself
     * (the same view, outBorder 0): each sum is then written over the residual value it was made from.
     */
    default void conv2dInferenceBlocked(View x, int xBorder, View weight, View bias, ConvParams p, View residual, boolean relu,
                                        PackedWeights packed, View out, int outBorder) {
        throw new UnsupportedOperationException(name() + ": no channels-blocked convolution");
    }

    /** True when {@link #conv2dInferenceToBlocked} takes a layer of cin to cout channels with these params on dtype. Default: none. */
    default boolean blockedConvOfNchw(DType dtype, int cin, int cout, ConvParams p) { return false; }

    /**
     * {@link #conv2dInference} of an NCHW input (a network's first layer) written channels-blocked: out
     * [N, Cout/16, OH + 2·outBorder, OW + 2·outBorder, 16], its border zeros. Only for layers {@link #blockedConvOfNchw} takes.
     */
    default void conv2dInferenceToBlocked(View x, View weight, View bias, ConvParams p, boolean relu, PackedWeights packed, View out, int outBorder) {
        throw new UnsupportedOperationException(name() + ": no channels-blocked convolution");
    }

    /** True when {@link #maxPool2dBlocked} takes dtype with these params. Default: none. */
    default boolean blockedMaxPool(DType dtype, PoolParams p) { return false; }

    /**
     * max_pool2d (inference: no indices) on channels-blocked activations: x with a zero border of xBorder that the
     * pooling does not read (its padding counts as −∞, as PyTorch's), out with outBorder, whose zeros this call writes.
     */
    default void maxPool2dBlocked(View x, int xBorder, PoolParams p, View out, int outBorder) {
        throw new UnsupportedOperationException(name() + ": no channels-blocked pooling");
    }

    void conv2dBackwardInput(View gradOut, View weight, ConvParams p, View gradInput);

    void conv2dBackwardWeight(View gradOut, View x, ConvParams p, View gradWeight);

    // ---- fused row ops over the last dim of contiguous inputs ----
    void softmax(View x, View out, boolean log);

    /** mean and rstd have one element per row. weight/bias may be null. */
    void layerNorm(View x, View weight, View bias, double eps, View out, View mean, View rstd);

    void layerNormBackward(View gradOut, View x, View weight, View mean, View rstd,
                           View gradX, View gradWeight, View gradBias);

    // ---- batch normalization over dim 1 of a contiguous [N, C, S] view (S: the spatial dims flattened, or 1) ----
    /**
     * Per-channel mean and biased variance of x over dims 0 and 2 into mean[C] and var[C]. The default composes this
     * backend's own reduce and pointwise kernels; host backends override it with one fused pass per channel.
     */
    default void batchNormStats(View x, View mean, View var) { BatchNormComposition.stats(this, x, mean, var); }

    /** out = x · scale[c] + shift[c], then max(·, 0) when relu: batch norm with its statistics folded in. */
    default void channelAffine(View x, View scale, View shift, boolean relu, View out) {
        BatchNormComposition.affine(this, x, scale, shift, relu, out);
    }

    /**
     * The batch-norm backward. g = gradOut, masked by (reluOut > 0) when reluOut (the fused ReLU's output) is given;
     * xhat = (x − mean)·invstd; scale = weight·invstd. gradX (may be null) = scale·(g − Σg/M − xhat·Σ(g·xhat)/M) when
     * training (batch statistics, M = N·S), scale·g otherwise; gradWeight = Σ g·xhat, gradBias = Σ g (each may be null).
     */
    default void batchNormBackward(View gradOut, View reluOut, View x, View mean, View invstd, View scale, boolean training,
                                   View gradX, View gradWeight, View gradBias) {
        BatchNormComposition.backward(this, gradOut, reluOut, x, mean, invstd, scale, training, gradX, gradWeight, gradBias);
    }

    // ---- pooling and resizing (NCHW) ----
    /** indices (INT64) hold each window's argmax as a position in its plane; the backward is a {@link #scatterAdd}. */
    void maxPool2d(View x, PoolParams p, View out, View indices);

    void avgPool2d(View x, PoolParams p, View out);

    void avgPool2dBackward(View gradOut, PoolParams p, View gradInput);

    void adaptiveAvgPool2d(View x, View out);

    void adaptiveAvgPool2dBackward(View gradOut, View gradInput);

    void interpolate(View x, ResizeParams p, View out);

    /** Accumulates into gradInput, which the caller zero-fills. */
    void interpolateBackward(View gradOut, ResizeParams p, View gradInput);

    // ---- detection (NCHW features; rois [K, 5] = batch index, x1, y1, x2, y2 in input pixels, contiguous) ----
    /** RoIAlign: out [K, C, outH, outW] (torchvision roi_align; docs/methods.md §3.4). */
    void roiAlign(View features, View rois, RoiAlignParams p, View out);

    /** Accumulates RoIAlign's input gradient into gradFeatures [N, C, H, W], which the caller zero-fills. */
    void roiAlignBackward(View gradOut, View rois, RoiAlignParams p, View gradFeatures);

    // ---- indexing (index_select and index_add are these with a broadcast index view) ----
    /** out[i..] = src[..index[i..]..] along dim (torch.gather); an index out of range is an {@link IndexRangeException}. */
    void gather(View src, int dim, View index, View out);

    /**
     * dst[..index[i..]..] += src[i..] along dim (torch.scatter_add_, in place on dst), in row-major order of the index;
     * an index out of range is an {@link IndexRangeException}.
     */
    void scatterAdd(View dst, int dim, View index, View src);
}
