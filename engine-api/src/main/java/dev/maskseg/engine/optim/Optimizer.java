package dev.maskseg.engine.optim;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Base of the optimizers: groups, a base learning rate for schedulers, per-parameter state buffers. */
public abstract class Optimizer {
    protected final List<ParamGroup> groups;
    protected final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();
    protected long steps;

    protected Optimizer(List<ParamGroup> groups) { this.groups = List.copyOf(groups); }

    public List<ParamGroup> groups() { return groups; }

    /** Sets every group's rate to base * its lrScale (what schedulers call). */
    public void setLearningRate(double base) { for (ParamGroup g : groups) g.lr = base * g.lrScale; }

    public long stepCount() { return steps; }

    public void zeroGrad() { for (ParamGroup g : groups) for (Tensor p : g.params) p.zeroGrad(); }

    public void step() {
        steps++;
        try (var ng = GradMode.noGrad()) {
            for (ParamGroup g : groups) {
                if (g.lr == 0) continue;
                for (Tensor p : g.params) if (p.grad() != null) update(g, p, p.grad(), state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
            }
        }
    }

    protected abstract void update(ParamGroup g, Tensor p, Tensor grad, Map<String, Tensor> s);

    /** Buffers by "group.param.name" for checkpoints. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            List<Tensor> ps = groups.get(gi).params;
            for (int pi = 0; pi < ps.size(); pi++) {
                Map<String, Tensor> s = state.get(ps.get(pi));
                if (s == null) continue;
                for (var e : s.entrySet()) out.put(gi + "." + pi + "." + e.getKey(), e.getValue());
            }
        }
        return out;
    }

    public void loadStateDict(Map<String, Tensor> saved, long stepCount) {
        steps = stepCount;
        for (var e : saved.entrySet()) {
            String[] k = e.getKey().split("\\.", 3);
            Tensor p = groups.get(Integer.parseInt(k[0])).params.get(Integer.parseInt(k[1]));
            state.computeIfAbsent(p, x -> new LinkedHashMap<>()).put(k[2], e.getValue().clone().detach());
        }
    }

    /** Scales all gradients so their global L2 norm is at most maxNorm; returns the norm before clipping. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        double total = 0;
        try (var ng = GradMode.noGrad()) {
            for (Tensor p : params) if (p.grad() != null) total += p.grad().mul(p.grad()).sum().item();
            double norm = Math.sqrt(total), coef = maxNorm / (norm + 1e-6);
            if (coef < 1) for (Tensor p : params) if (p.grad() != null) p.setGrad(p.grad().mul(coef));
            return norm;
        }
    }
}
