package dev.maskseg.engine.ops;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Shapes;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.autograd.GradMode;
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
        Tensor y = Tensor.empty(x.backend(), x.dtype(), rows.shape());
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
        Tensor y = Tensor.empty(x.backend(), x.dtype(), rows, d);
        Tensor mean = Tensor.empty(x.backend(), x.dtype(), rows), rstd = Tensor.empty(x.backend(), x.dtype(), rows);
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
        if (x.dim() < 2) throw new IllegalArgumentException("batch_norm: expected at least 2-D input, got " + x.shapeString());
        int c = x.size(1);
        int[] bshape = new int[x.dim()];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = c;
        int[] dims = java.util.stream.IntStream.range(0, x.dim()).filter(i -> i != 1).toArray();
        // per-channel scale = w / sqrt(var + eps) and shift, so the full-size tensor is touched twice (as torch's CPU kernel)
        Tensor centeredOrX, scale, shift;
        if (training) {
            int n = x.numel() / c;
            if (n <= 1) throw new IllegalArgumentException("batch_norm: expected more than 1 value per channel in training, got " + x.shapeString());
            Tensor mean = Reduce.mean(x, dims, true);
            Tensor centered = x.sub(mean);
            Tensor var = Reduce.mean(centered.mul(centered), dims, true);
            if (runningMean != null) {
                try (var ng = GradMode.noGrad()) {
                    runningMean.copy_(runningMean.mul(1 - momentum).add(mean.detach().reshape(c).mul(momentum)));
                    runningVar.copy_(runningVar.mul(1 - momentum).add(var.detach().reshape(c).mul(momentum * n / (n - 1.0))));
                }
            }
            centeredOrX = centered;
            scale = Pointwise.rsqrt(var.add(eps));
            if (weight != null) scale = scale.mul(weight.reshape(bshape));
            shift = bias == null ? null : bias.reshape(bshape);
        } else {
            centeredOrX = x;
            scale = Pointwise.rsqrt(runningVar.reshape(bshape).add(eps));
            if (weight != null) scale = scale.mul(weight.reshape(bshape));
            shift = runningMean.reshape(bshape).mul(scale).neg();
            if (bias != null) shift = shift.add(bias.reshape(bshape));
        }
        Tensor y = centeredOrX.mul(scale);
        return shift == null ? y : y.add(shift);
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
