package dev.maskseg.pipeline.loss;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.ops.Reduce;

/**
 * MaskContrast's loss exactly as docs/methods.md §2.5: balanced saliency BCE on the query view plus a class-weighted
 * cross-entropy of every salient query pixel against the key view's mask prototypes (positives: its own image)
 * and the queue, at temperature T. Background pixels only get the BCE.
 */
public final class MaskContrastLoss {
    /** total = contrastive + saliency; prototypes [B, D] (L2-normalized, detached) for the queue. */
    public record Result(Tensor total, Tensor contrastive, Tensor saliency, Tensor prototypes) {}

    private MaskContrastLoss() {}

    /**
     * @param eq query embedding [B, D, H, W] (not normalized)
     * @param sq query saliency logits [B, 1, H, W] or [B, H, W]
     * @param mq query mask [B, H, W] of 0/1 (float)
     * @param ek key embedding [B, D, H, W] (no grad)
     * @param mk key mask [B, H, W]
     * @param queue [D, K] of normalized prototypes, or null for none
     */
    public static Result compute(Tensor eq, Tensor sq, Tensor mq, Tensor ek, Tensor mk, Tensor queue, double temperature) {
        int b = eq.size(0), d = eq.size(1), h = eq.size(2), w = eq.size(3);
        if (mq.dim() != 3 || mq.size(0) != b || mq.size(1) != h || mq.size(2) != w || !java.util.Arrays.equals(ek.shape(), eq.shape())) {
            throw new IllegalArgumentException("maskcontrast loss: embeddings " + eq.shapeString() + "/" + ek.shapeString() + " and masks "
                    + mq.shapeString() + "/" + mk.shapeString() + " do not agree");
        }
        Tensor sal = balancedBce(sq.reshape(b, h, w), mq);
        Tensor q = Norm.normalize(eq, 1, 1e-12);
        Tensor k = Norm.normalize(ek.detach(), 1, 1e-12);
        Tensor protos = Norm.normalize(Reduce.sum(k.mul(mk.to(DType.FLOAT32).reshape(b, 1, h, w)), new int[]{2, 3}, false), 1, 1e-12).detach();

        float[] m = mq.to(DType.FLOAT32).contiguous().toFloatArray();
        int n = 0;
        for (float v : m) if (v > 0.5f) n++;
        if (n == 0) throw new IllegalArgumentException("maskcontrast loss: no salient query pixel in the batch (the area filter should prevent this)");
        long[] index = new long[n], label = new long[n];
        long[] count = new long[b];
        int j = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] <= 0.5f) continue;
            index[j] = i;
            label[j++] = i / (h * w);
            count[i / (h * w)]++;
        }
        Tensor pixels = Index.indexSelect(q.permute(0, 2, 3, 1).reshape(b * h * w, d), 0, Tensor.ofLongs(index, n));
        Tensor keys = queue == null ? protos : Index.cat(java.util.List.of(protos, queue.detach().t()), 0);
        Tensor logits = pixels.matmul(keys.t()).div(temperature);
        double[] weight = new double[keys.size(0)];
        java.util.Arrays.fill(weight, 1.0);
        for (int c = 0; c < b; c++) weight[c] = 1.0 / Math.log(1.02 + (double) count[c] / n);
        Tensor con = Losses.crossEntropy(logits, Tensor.ofLongs(label, n), Tensor.of(weight, weight.length).to(DType.FLOAT32), -100, Losses.Reduction.MEAN);
        return new Result(con.add(sal), con, sal, protos);
    }

    /** HED-style balanced BCE: [w·Σ_pos ℓ + (1−w)·Σ_neg ℓ] / numel with w = #neg / numel. */
    public static Tensor balancedBce(Tensor logits, Tensor mask) {
        Tensor y = mask.to(DType.FLOAT32);
        double pos = y.sum().item(), total = y.numel();
        double wPos = (total - pos) / total;
        Tensor weight = y.mul(wPos).add(y.neg().add(1).mul(1 - wPos));
        return Losses.bceWithLogits(logits, y, weight, Losses.Reduction.SUM).div(total);
    }
}
