package dev.maskseg.engine.ops;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.Autograd;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.BinaryOp;

/** cross_entropy, binary_cross_entropy_with_logits and smooth-L1 (fvcore's, as detectron2 uses it) with PyTorch's reductions. */
public final class Losses {
    private Losses() {}

    public enum Reduction { NONE, MEAN, SUM }

    /**
     * logits [N, C] or [N, C, d1, ...]; target INT64 [N] or [N, d1, ...]. With class weights the
     * mean divides by the summed weights of the non-ignored targets (PyTorch's weighted mean).
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction) {
        if (logits.dim() < 2) throw new IllegalArgumentException("cross_entropy: logits must be [N, C, ...], got " + logits.shapeString());
        if (target.dtype() != DType.INT64) throw new IllegalArgumentException("cross_entropy: target must be INT64, got " + target.dtype());
        int c = logits.size(1);
        int[] expected = dev.maskseg.engine.Shapes.remove(logits.shape(), 1);
        if (!java.util.Arrays.equals(expected, target.shape())) {
            throw new IllegalArgumentException("cross_entropy: target " + target.shapeString() + " does not match logits " + logits.shapeString());
        }
        if (weight != null && (weight.dim() != 1 || weight.size(0) != c)) {
            throw new IllegalArgumentException("cross_entropy: weight " + weight.shapeString() + " for " + c + " classes");
        }
        Tensor logp = Norm.logSoftmax(logits, 1);
        Tensor rows = logits.dim() == 2 ? logp : moveClassLast(logp).reshape(-1, c);
        Tensor t = target.reshape(-1);
        Tensor valid = Pointwise.compare(BinaryOp.NE, t, ignoreIndex);
        Tensor safe = Pointwise.where(valid, t, Tensor.zeros(DType.INT64, 1).to(t.backend()));
        checkRange(safe, c);
        Tensor picked = Index.gather(rows, 1, safe.unsqueeze(1)).squeeze(1);
        Tensor w = valid.to(logits.dtype());
        if (weight != null) w = w.mul(Index.indexSelect(weight.to(logits.dtype()), 0, safe));
        Tensor losses = picked.mul(w).neg();
        return switch (reduction) {
            case NONE -> losses.reshape(target.shape());
            case SUM -> losses.sum();
            case MEAN -> losses.sum().div(w.sum());
        };
    }

    private static Tensor moveClassLast(Tensor t) {
        int[] perm = new int[t.dim()];
        perm[0] = 0;
        for (int i = 1; i < t.dim() - 1; i++) perm[i] = i + 1;
        perm[t.dim() - 1] = 1;
        return t.permute(perm);
    }

    private static void checkRange(Tensor labels, int c) {
        try (var ng = GradMode.noGrad()) {
            double lo = Reduce.amin(labels.to(DType.FLOAT64), new int[]{0}, false).item();
            double hi = Reduce.amax(labels.to(DType.FLOAT64), new int[]{0}, false).item();
            if (labels.numel() > 0 && (lo < 0 || hi >= c)) {
                throw new IllegalArgumentException("cross_entropy: target label " + (lo < 0 ? (long) lo : (long) hi)
                        + " out of range for " + c + " classes (and not the ignore index)");
            }
        }
    }

    /**
     * max(x, 0) - x*y + log(1 + exp(-|x|)), times the optional per-element weight; its gradient is
     * (sigmoid(x) - y) * weight, written out rather than differentiated through |x|.
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor targets, Tensor weight, Reduction reduction) {
        if (!java.util.Arrays.equals(logits.shape(), targets.shape())) {
            throw new IllegalArgumentException("binary_cross_entropy_with_logits: target " + targets.shapeString()
                    + " does not match input " + logits.shapeString());
        }
        Tensor loss;
        try (var ng = GradMode.noGrad()) {
            loss = logits.relu().sub(logits.mul(targets)).add(Pointwise.softplus(logits.abs().neg()));
            if (weight != null) loss = loss.mul(weight);
        }
        Tensor elementwise = Autograd.record("bce_with_logits", loss, g -> {
            Tensor d = logits.sigmoid().sub(targets);
            if (weight != null) d = d.mul(weight);
            return new Tensor[]{g.mul(d), targets.requiresGrad() ? Reduce.sumTo(g.mul(logits).neg().mul(weight == null ? Tensor.ones(1).to(g.backend()) : weight), targets.shape()) : null};
        }, logits, targets);
        Autograd.alsoSaved(elementwise, weight);
        return switch (reduction) {
            case NONE -> elementwise;
            case SUM -> elementwise.sum();
            case MEAN -> elementwise.mean();
        };
    }

    /**
     * fvcore's smooth_l1_loss (docs/methods.md §3.4): |d| − beta/2 where |d| ≥ beta, d²/(2·beta) below, with d = input −
     * target; beta below 1e-5 is the plain L1 loss |d|. Gradient to the input: d/beta inside the quadratic zone,
     * sign(d) outside (0 at d = 0), and its negation to the target.
     */
    public static Tensor smoothL1(Tensor input, Tensor target, double beta, Reduction reduction) {
        if (!java.util.Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("smooth_l1_loss: target " + target.shapeString() + " does not match input " + input.shapeString());
        }
        if (!(beta >= 0)) throw new IllegalArgumentException("smooth_l1_loss: beta " + beta + " must be >= 0");
        boolean l1 = beta < 1e-5;
        Tensor d, loss;
        try (var ng = GradMode.noGrad()) {
            d = input.sub(target);
            Tensor n = d.abs();
            loss = l1 ? n : Pointwise.where(n.lt(beta), n.mul(n).mul(0.5).div(beta), n.sub(0.5 * beta));
        }
        Tensor elementwise = Autograd.record("smooth_l1", loss, g -> {
            Tensor sign = Pointwise.rawUnary(dev.maskseg.engine.backend.UnaryOp.SIGN, d, 0, 0);
            Tensor slope = l1 ? sign : Pointwise.where(d.abs().lt(beta), d.div(beta), sign);
            Tensor gi = g.mul(slope);
            return new Tensor[]{gi, target.requiresGrad() ? gi.neg() : null};
        }, input, target);
        return switch (reduction) {
            case NONE -> elementwise;
            case SUM -> elementwise.sum();
            case MEAN -> elementwise.mean();
        };
    }
}
