package dev.maskseg.engine.optim;

import dev.maskseg.engine.Tensor;

import java.util.List;

/** Parameters sharing hyper-parameters; lrScale multiplies the scheduled rate (0 freezes the group). */
public final class ParamGroup {
    public final List<Tensor> params;
    public double lr;
    public double weightDecay;
    public final double lrScale;

    public ParamGroup(List<Tensor> params, double lr, double weightDecay, double lrScale) {
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
        this.lrScale = lrScale;
    }

    public ParamGroup(List<Tensor> params, double lr, double weightDecay) { this(params, lr, weightDecay, 1.0); }
}
