package dev.maskseg.engine.ops;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Shapes;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

/** softmax / log_softmax, layer and batch normalization, dropout and L2 normalization. */
public final class Norm {
    private Norm() {}

    public static Tensor softmax(Tensor x, int dim) { return softmax(x, dim, false); }

    public static Tensor logSoftmax(Tensor x, int dim) { return softmax(x, dim, true); }

    private static Tensor softmax(Tensor x, int dim, boolean log) {
        int d = Shapes.wrapDim(dim, x.dim());
        boolean last = d == x.dim() - 1;
        Tensor rows = (last ? x : x.transpose(d, -1)).detach().contiguous();
        Tensor y = Tensor.uninitialized(x.backend(), x.dtype(), rows.shape());
        x.backend().softmax(rows.view(), y.view(), log);
        Tensor out = last ? y : y.transpose(d, -1).contiguous();
        return Autograd.record(log ? "log_softmax" : "softmax", out, g -> {
            if (log) return new Tensor[]{g.sub(out.exp().mul(Reduce.sum(g, new int[]{d}, true)))};
            return new Tensor[]{out.mul(g.sub(Reduce.sum(g.mul(out), new int[]{d}, true)))};
        }, x);
    }

    /** Normalizes over the trailing normalizedDims dims; weight/bias (either may be null) have that shape. */
    public static Tensor layerNorm(Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
        Pointwise.sameBackend("layer_norm", x, weight, bias);
        int width = 1;
        for (int i = x.dim() - normalizedDims; i < x.dim(); i++) width *= x.size(i);
        final int d = width;
        if (weight != null && weight.numel() != d) {
            throw new IllegalArgumentException("layer_norm: weight " + weight.shapeString() + " for input " + x.shapeString());
        }
        int rows = x.numel() / Math.max(d, 1);
        Tensor xc = x.detach().contiguous().reshape(rows, d);
        Tensor w = weight == null ? null : weight.detach().contiguous().reshape(d);
        Tensor b = bias == null ? null : bias.detach().contiguous().reshape(d);
        Tensor y = Tensor.uninitialized(x.backend(), x.dtype(), rows, d);
        Tensor mean = Tensor.uninitialized(x.backend(), x.dtype(), rows), rstd = Tensor.uninitialized(x.backend(), x.dtype(), rows);
        x.backend().layerNorm(xc.view(), w == null ? null : w.view(), b == null ? null : b.view(), eps, y.view(), mean.view(), rstd.view());
        Tensor out = y.view(x.shape());
        return Autograd.record("layer_norm", out, g -> {
            Tensor gx = Tensor.empty(x.backend(), x.dtype(), rows, d);
            Tensor gw = weight != null && weight.requiresGrad() ? Tensor.empty(x.backend(), x.dtype(), d) : null;
            Tensor gb = bias != null && bias.requiresGrad() ? Tensor.empty(x.backend(), x.dtype(), d) : null;
            x.backend().layerNormBackward(g.contiguous().reshape(rows, d).view(), xc.view(), w == null ? null : w.view(),
                    mean.view(), rstd.view(), gx.view(), gw == null ? null : gw.view(), gb == null ? null : gb.view());
            return new Tensor[]{gx.view(x.shape()), gw == null ? null : gw.view(weight.shape()), gb == null ? null : gb.view(bias.shape())};
        }, x, weight, bias);
    }

    /**
     * F.batch_norm over dim 1. In training the batch statistics normalize and the running buffers
     * (if given) move by momentum, with the unbiased variance; in eval the running statistics are used.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps, false);
    }

    /**
     * relu(batch_norm(x)) as one op (conv–BN–ReLU): the pre-activation is never stored, and the backward masks the
     * gradient by the output, so only the input and the output stay alive for it, as in PyTorch with an in-place ReLU.
     */
    public static Tensor batchNormRelu(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                       boolean training, double momentum, double eps) {
        return batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps, true);
    }

    private static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                    boolean training, double momentum, double eps, boolean relu) {
        if (x.dim() < 2) throw new IllegalArgumentException("batch_norm: expected at least 2-D input, got " + x.shapeString());
        Backend be = Pointwise.sameBackend("batch_norm", x, runningMean, runningVar, weight, bias);
        int n = x.size(0), c = x.size(1), s = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batch_norm: eval mode needs running statistics");
        }
        for (Tensor p : new Tensor[]{runningMean, runningVar, weight, bias}) {
            if (p != null && p.numel() != c) {
                throw new IllegalArgumentException("batch_norm: per-channel tensor " + p.shapeString() + " for input " + x.shapeString());
            }
        }
        Tensor xc = x.detach().contiguous();
        View xv = new View(xc.storage(), xc.offset(), new int[]{n, c, s}, new int[]{c * s, s, 1});
        Tensor mean, invstd, scale, shift;
        try (var ng = GradMode.noGrad()) {
            if (training) {
                long count = (long) n * s;
                if (count <= 1) throw new IllegalArgumentException("batch_norm: expected more than 1 value per channel in training, got " + x.shapeString());
                mean = Tensor.empty(be, x.dtype(), c);
                Tensor var = Tensor.empty(be, x.dtype(), c);
                be.batchNormStats(xv, mean.view(), var.view());
                if (runningMean != null) {
                    runningMean.copy_(runningMean.mul(1 - momentum).add(mean.reshape(runningMean.shape()).mul(momentum)));
                    runningVar.copy_(runningVar.mul(1 - momentum).add(var.reshape(runningVar.shape()).mul(momentum * count / (count - 1.0))));
                }
                invstd = Pointwise.rsqrt(var.add(eps));
            } else {
                mean = runningMean.detach().contiguous().reshape(c).to(x.dtype());
                invstd = Pointwise.rsqrt(runningVar.detach().reshape(c).to(x.dtype()).add(eps)).contiguous();
            }
            scale = weight == null ? invstd : invstd.mul(weight.detach().reshape(c)).contiguous();
            shift = mean.mul(scale).neg();
            if (bias != null) shift = shift.add(bias.detach().reshape(c));
            shift = shift.contiguous();
        }
        Tensor out = Tensor.empty(be, x.dtype(), x.shape());
        View ov = new View(out.storage(), 0, new int[]{n, c, s}, new int[]{c * s, s, 1});
        be.channelAffine(xv, scale.view(), shift.view(), relu, ov);
        boolean needX = x.requiresGrad(), needW = weight != null && weight.requiresGrad(), needB = bias != null && bias.requiresGrad();
        Tensor saved = relu ? out : null;
        dev.maskseg.engine.DType dt = x.dtype();
        int[] xShape = x.shape(), wShape = weight == null ? null : weight.shape(), bShape = bias == null ? null : bias.shape();
        Tensor recorded = Autograd.record(relu ? "batch_norm_relu" : "batch_norm", out, g -> {
            Tensor gc = g.contiguous();
            Tensor gx = needX ? Tensor.empty(be, dt, xShape) : null;
            Tensor gw = needW ? Tensor.empty(be, dt, c) : null, gb = needB ? Tensor.empty(be, dt, c) : null;
            int[] nsc = {n, c, s}, st = {c * s, s, 1};
            be.batchNormBackward(new View(gc.storage(), gc.offset(), nsc, st),
                    saved == null ? null : new View(saved.storage(), saved.offset(), nsc, st), xv, mean.view(), invstd.view(), scale.view(),
                    training, gx == null ? null : new View(gx.storage(), 0, nsc, st), gw == null ? null : gw.view(), gb == null ? null : gb.view());
            return new Tensor[]{gx, gw == null ? null : gw.view(wShape), gb == null ? null : gb.view(bShape)};
        }, x, weight, bias);
        return Autograd.alsoSaved(recorded, mean);   // in eval mode the caller's running mean
    }

    /** Inverted dropout: zeroes with probability p and scales the rest by 1/(1-p). */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator gen) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0.0);
        float[] m = new float[x.numel()];
        float scale = (float) (1.0 / (1.0 - p));
        for (int i = 0; i < m.length; i++) m[i] = gen.nextDouble() >= p ? scale : 0f;
        Tensor mask = Tensor.fromHost(new HostStorage.F32(m), x.shape()).to(x.backend()).to(x.dtype());
        return x.mul(mask);
    }

    /** F.normalize: x / max(||x||_2, eps) along dim. */
    public static Tensor normalize(Tensor x, int dim, double eps) {
        Tensor norm = Reduce.sum(x.mul(x), new int[]{dim}, true).sqrt();
        return x.div(Pointwise.clampMin(norm, eps));
    }
}
