package dev.maskseg.engine;

import dev.maskseg.engine.nn.Layers;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.optim.AdamW;
import dev.maskseg.engine.optim.Optimizer;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Schedules;
import dev.maskseg.engine.optim.Sgd;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NnOptimTest {
    private final Generator g = new Generator(3);

    private Module net() {
        return new Layers.Sequential(new Layers.Conv2d(3, 4, 3, 1, 1, 1, 1, false, g), new Layers.BatchNorm2d(4), new Layers.ReLU(),
                new Layers.Sequential(new Layers.Linear(4, 2, true, g)));
    }

    @Test
    void moduleToCastsParametersInPlaceAndKeepsIntegerBuffers() {
        var bn = new Layers.BatchNorm2d(3);
        Tensor weight = bn.weight;
        bn.to(DType.FLOAT64);
        assertTrue(weight == bn.weight && bn.weight.dtype() == DType.FLOAT64 && bn.weight.requiresGrad());
        assertEquals(DType.INT64, bn.numBatchesTracked.dtype());
        Tensor y = bn.forward(Tensor.randn(new Generator(1), 2, 3, 4, 4).to(DType.FLOAT64));
        y.sum().backward();
        assertEquals(DType.FLOAT64, bn.weight.grad().dtype());
        assertThrows(IllegalArgumentException.class, () -> bn.weight.setData(Tensor.zeros(4)));
        assertThrows(IllegalStateException.class, () -> y.setData(Tensor.zeros(y.shape())));
    }

    @Test
    void stateDictUsesPytorchNames() {
        assertEquals(List.of("0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
                "3.0.weight", "3.0.bias"), List.copyOf(net().stateDict().keySet()));
        assertEquals(5, net().parameters().size());
    }

    @Test
    void strictLoadReportsAllProblemsAtOnce() {
        Module a = net();
        Map<String, Tensor> sd = new java.util.LinkedHashMap<>(net().stateDict());
        sd.remove("1.bias");
        sd.put("extra.weight", Tensor.zeros(1));
        sd.put("3.0.weight", Tensor.zeros(3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.loadStateDict(sd, true));
        assertTrue(e.getMessage().contains("1.bias") && e.getMessage().contains("extra.weight") && e.getMessage().contains("3.0.weight"),
                e.getMessage());
        Module b = net();
        Module c = net();
        b.loadStateDict(c.stateDict(), true);
        assertEquals(c.stateDict().get("0.weight").sum().item(), b.stateDict().get("0.weight").sum().item(), 0.0);
    }

    @Test
    void batchNormTracksRunningStatsOnlyInTraining() {
        Layers.BatchNorm2d bn = new Layers.BatchNorm2d(2);
        Tensor x = Tensor.randn(g, 4, 2, 3, 3).mul(2).add(1);
        bn.forward(x);
        double m = bn.runningMean.toFloatArray()[0];
        assertTrue(Math.abs(m) > 0.01, "running mean moved");
        assertEquals(1.0, bn.numBatchesTracked.item());
        bn.eval();
        bn.forward(x);
        assertEquals(m, bn.runningMean.toFloatArray()[0]);
    }

    private static Tensor param(double v) { return Tensor.of(new float[]{(float) v}, 1).requiresGrad(true); }

    private static void stepWithGrad(Optimizer o, Tensor p, double grad) {
        p.setGrad(Tensor.of(new float[]{(float) grad}, 1));
        o.step();
    }

    @Test
    void sgdMomentumAndNesterovFollowPytorch() {
        Tensor p = param(1);
        Sgd sgd = new Sgd(List.of(new ParamGroup(List.of(p), 0.1, 0)), 0.9, false);
        stepWithGrad(sgd, p, 1);
        assertEquals(0.9, p.item(), 1e-6);
        stepWithGrad(sgd, p, 1);
        assertEquals(0.71, p.item(), 1e-6);
        Tensor q = param(1);
        Sgd nest = new Sgd(List.of(new ParamGroup(List.of(q), 0.1, 0.5)), 0.9, true);
        stepWithGrad(nest, q, 1);
        assertEquals(1 - 0.1 * (1.5 + 0.9 * 1.5), q.item(), 1e-6);
        assertTrue(nest.stateDict().containsKey("0.0.momentum_buffer"));
    }

    /** The in-place step rounds as the out-of-place one: g + wd·p, m·buf + d, p − lr·d, each product then each sum. */
    @Test
    void sgdInPlaceStepsEqualTheOutOfPlaceFormulaBitForBit() {
        for (boolean nesterov : new boolean[]{false, true}) {
            Generator gen = new Generator(11);
            Tensor p = Tensor.randn(gen, 3, 70001).requiresGrad(true), ref = p.detach().clone(), buf = null;
            double lr = 0.004, wd = 1e-4, m = 0.9;
            Sgd sgd = new Sgd(List.of(new ParamGroup(List.of(p), lr, wd)), m, nesterov);
            for (int step = 0; step < 3; step++) {
                Tensor grad = Tensor.randn(gen, 3, 70001);
                p.setGrad(grad);
                sgd.step();
                Tensor d = grad.add(ref.mul(wd));
                buf = buf == null ? d.clone() : buf.mul(m).add(d);
                d = nesterov ? d.add(buf.mul(m)) : buf;
                ref = ref.sub(d.mul(lr));
                assertTrue(java.util.Arrays.equals(ref.toFloatArray(), p.detach().toFloatArray()), "step " + step + " nesterov " + nesterov);
            }
        }
    }

    @Test
    void adamwFirstStepIsSignedLrWithDecoupledDecay() {
        Tensor p = param(2);
        AdamW o = new AdamW(List.of(new ParamGroup(List.of(p), 0.01, 0.1)), 0.9, 0.999, 1e-8);
        stepWithGrad(o, p, -3);
        assertEquals(2 * (1 - 0.01 * 0.1) + 0.01, p.item(), 1e-6);
    }

    @Test
    void frozenGroupDoesNotMove() {
        Tensor a = param(1), b = param(1);
        Sgd o = new Sgd(List.of(new ParamGroup(List.of(a), 0.1, 0, 1.0), new ParamGroup(List.of(b), 0.1, 0, 0.0)), 0, false);
        o.setLearningRate(0.1);
        a.setGrad(Tensor.ones(1));
        b.setGrad(Tensor.ones(1));
        o.step();
        assertEquals(0.9, a.item(), 1e-6);
        assertEquals(1.0, b.item(), 0.0);
    }

    @Test
    void schedulesAndClipping() {
        assertEquals(0.004, Schedules.poly(0.004, 100, 0.9).lr(0), 1e-12);
        assertEquals(0.004 * Math.pow(0.5, 0.9), Schedules.poly(0.004, 100, 0.9).lr(50), 1e-12);
        assertEquals(0.0, Schedules.cosine(1, 0, 10).lr(10), 1e-12);
        assertEquals(0.01, Schedules.multiStep(1, new long[]{5, 8}, 0.1).lr(8), 1e-12);
        assertEquals(0.25, Schedules.step(1, 3, 0.5).lr(6), 1e-12);
        assertEquals(0.5, Schedules.linearWarmup(4, Schedules.step(1, 100, 0.5)).lr(1), 1e-12);
        Tensor p = param(0);
        p.setGrad(Tensor.of(new float[]{3}, 1));
        Tensor q = param(0);
        q.setGrad(Tensor.of(new float[]{4}, 1));
        assertEquals(5.0, Optimizer.clipGradNorm(List.of(p, q), 1.0), 1e-6);
        assertEquals(0.6, p.grad().item(), 1e-5);
    }

    @Test
    void smallNetTrainsDownhill() {
        Module m = net();
        Sgd o = new Sgd(List.of(new ParamGroup(m.parameters(), 0.05, 1e-4)), 0.9, false);
        Tensor x = Tensor.randn(g, 8, 3, 6, 6);
        // learnable labels: whether channel 0 is bright on average
        Tensor y = x.select(1, 0).mean(-1, false).mean(-1, false).gt(0).to(DType.INT64);
        double first = 0, last = 0;
        for (int s = 0; s < 60; s++) {
            Layers.Sequential seq = (Layers.Sequential) m;
            Tensor h = seq.get(2).forward(seq.get(1).forward(seq.get(0).forward(x)));
            Tensor logits = seq.get(3).forward(dev.maskseg.engine.ops.Pool.adaptiveAvgPool2d(h, 1, 1).flatten(1, 3));
            Tensor loss = dev.maskseg.engine.ops.Losses.crossEntropy(logits, y, null, -100, dev.maskseg.engine.ops.Losses.Reduction.MEAN);
            o.zeroGrad();
            loss.backward();
            o.step();
            if (s == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < first * 0.7, "loss " + first + " -> " + last);
    }
}
