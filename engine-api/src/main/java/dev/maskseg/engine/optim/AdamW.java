package dev.maskseg.engine.optim;

import dev.maskseg.engine.Tensor;

import java.util.List;
import java.util.Map;

/** torch.optim.AdamW: decoupled weight decay, bias-corrected moments. */
public final class AdamW extends Optimizer {
    private final double beta1, beta2, eps;

    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        super(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, Map<String, Tensor> s) {
        Tensor m = s.getOrDefault("exp_avg", Tensor.zeros(p.shape()).to(p.backend()));
        Tensor v = s.getOrDefault("exp_avg_sq", Tensor.zeros(p.shape()).to(p.backend()));
        m = m.mul(beta1).add(grad.mul(1 - beta1));
        v = v.mul(beta2).add(grad.mul(grad).mul(1 - beta2));
        s.put("exp_avg", m);
        s.put("exp_avg_sq", v);
        double bc1 = 1 - Math.pow(beta1, steps), bc2 = 1 - Math.pow(beta2, steps);
        Tensor decayed = g.weightDecay != 0 ? p.mul(1 - g.lr * g.weightDecay) : p;
        Tensor denom = v.div(bc2).sqrt().add(eps);
        p.copy_(decayed.sub(m.div(denom).mul(g.lr / bc1)));
    }
}
