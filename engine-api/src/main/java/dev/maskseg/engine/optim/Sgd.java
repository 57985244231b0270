package dev.maskseg.engine.optim;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.ops.Pointwise;

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

    /**
     * The roundings of torch.optim.SGD's single-tensor step (d = g + wd·p, buf = m·buf + d, p = p − lr·d), with the
     * momentum buffer and the parameter updated in place: one temporary (when there is weight decay) instead of six.
     */
    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, Map<String, Tensor> s) {
        Tensor d = g.weightDecay != 0 ? Pointwise.scaledAdd(grad, 1, p, g.weightDecay) : grad;
        if (momentum != 0) {
            Tensor buf = s.get("momentum_buffer");
            if (buf == null) s.put("momentum_buffer", buf = d.clone());
            else buf.scaledAdd_(momentum, d, 1);
            d = nesterov ? Pointwise.scaledAdd(d, 1, buf, momentum) : buf;
        }
        p.scaledAdd_(1, d, -g.lr);
    }
}
