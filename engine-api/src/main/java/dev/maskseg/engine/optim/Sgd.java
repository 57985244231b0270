package dev.maskseg.engine.optim;

import dev.maskseg.engine.Tensor;

import java.util.List;
import java.util.Map;

/** torch.optim.SGD: weight decay added to the gradient, momentum buffer (dampening 0), optional Nesterov. */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final boolean nesterov;

    public Sgd(List<ParamGroup> groups, double momentum, boolean nesterov) {
        super(groups);
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, Map<String, Tensor> s) {
        Tensor d = g.weightDecay != 0 ? grad.add(p.mul(g.weightDecay)) : grad;
        if (momentum != 0) {
            Tensor buf = s.get("momentum_buffer");
            buf = buf == null ? d.clone() : buf.mul(momentum).add(d);
            s.put("momentum_buffer", buf);
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        p.copy_(p.sub(d.mul(g.lr)));
    }
}
