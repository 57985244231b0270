package dev.maskseg.engine.nn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.PackedWeights;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.LinAlg;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.ops.Pointwise;

import java.util.ArrayList;
import java.util.List;

/** The standard layers, with PyTorch's parameter names and default initialisation. */
public final class Layers {
    private Layers() {}

    public static final class Linear extends Module {
        public final Tensor weight, bias;
        /** Set once the layer is frozen ({@link #freeze}): where the backend keeps the weight's packed form. */
        private PackedWeights packed;

        public Linear(int in, int out, boolean withBias, Generator g) {
            weight = registerParameter("weight", Init.kaimingUniform(g, 1.0 / in, out, in));
            bias = withBias ? registerParameter("bias", Init.uniform(g, 1.0 / Math.sqrt(in), out)) : null;
        }

        /**
         * Makes this layer inference-only, in place: its weight and bias stop requiring grad and must not change from now
         * on, so the backend packs the weight once and reuses it on every call ({@link LinAlg#linearInference}); the
         * outputs are the same. loadStateDict is refused afterwards. Returns this.
         */
        public Linear freeze() {
            weight.requiresGrad(false);
            if (bias != null) bias.requiresGrad(false);
            packed = new PackedWeights();
            return this;
        }

        public boolean isFrozen() { return packed != null; }

        @Override public Tensor forward(Tensor x) {
            return packed != null ? LinAlg.linearInference(x, weight, bias, packed) : LinAlg.linear(x, weight, bias);
        }

        @Override public LoadReport loadStateDict(java.util.Map<String, Tensor> source, boolean strict) {
            if (packed != null) throw new UnsupportedOperationException(FROZEN_WEIGHTS);
            return super.loadStateDict(source, strict);
        }
    }

    /** Why a frozen model refuses new weights (its packed forms are never compared with them again). */
    public static final String FROZEN_WEIGHTS = "a frozen model's weights are fixed: load them into a fresh model, then freeze it";

    public static final class Conv2d extends Module {
        public final Tensor weight, bias;
        public final ConvParams params;

        public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean withBias, Generator g) {
            int fanIn = in / groups * kernel * kernel;
            weight = registerParameter("weight", Init.kaimingUniform(g, 1.0 / fanIn, out, in / groups, kernel, kernel));
            bias = withBias ? registerParameter("bias", Init.uniform(g, 1.0 / Math.sqrt(fanIn), out)) : null;
            params = new ConvParams(stride, stride, padding, padding, dilation, dilation, groups);
        }

        @Override public Tensor forward(Tensor x) { return Conv.conv2d(x, weight, bias, params); }
    }

    /** torch.nn.ConvTranspose2d: weight [in, out/groups, k, k]; PyTorch's init takes the fan-in from weight dim 1. */
    public static final class ConvTranspose2d extends Module {
        public final Tensor weight, bias;
        public final ConvParams params;
        public final int outputPadding;

        public ConvTranspose2d(int in, int out, int kernel, int stride, int padding, int outputPadding, int groups, boolean withBias,
                               Generator g) {
            int fanIn = out / groups * kernel * kernel;
            weight = registerParameter("weight", Init.kaimingUniform(g, 1.0 / fanIn, in, out / groups, kernel, kernel));
            bias = withBias ? registerParameter("bias", Init.uniform(g, 1.0 / Math.sqrt(fanIn), out)) : null;
            params = new ConvParams(stride, stride, padding, padding, 1, 1, groups);
            this.outputPadding = outputPadding;
        }

        @Override public Tensor forward(Tensor x) { return Conv.convTranspose2d(x, weight, bias, params, outputPadding, outputPadding); }
    }

    public static final class BatchNorm2d extends Module {
        public final Tensor weight, bias, runningMean, runningVar, numBatchesTracked;
        public final double eps, momentum;

        public BatchNorm2d(int channels) { this(channels, 1e-5, 0.1); }

        public BatchNorm2d(int channels, double eps, double momentum) {
            weight = registerParameter("weight", Tensor.ones(channels));
            bias = registerParameter("bias", Tensor.zeros(channels));
            runningMean = registerBuffer("running_mean", Tensor.zeros(channels));
            runningVar = registerBuffer("running_var", Tensor.ones(channels));
            numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.zeros(dev.maskseg.engine.DType.INT64));
            this.eps = eps;
            this.momentum = momentum;
        }

        @Override public Tensor forward(Tensor x) {
            if (isTraining()) numBatchesTracked.fill_(numBatchesTracked.item() + 1);
            return Norm.batchNorm(x, runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
        }

        /** relu(forward(x)) as one op ({@link Norm#batchNormRelu}). */
        public Tensor forwardRelu(Tensor x) {
            if (isTraining()) numBatchesTracked.fill_(numBatchesTracked.item() + 1);
            return Norm.batchNormRelu(x, runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
        }
    }

    public static final class LayerNorm extends Module {
        public final Tensor weight, bias;
        public final double eps;

        public LayerNorm(int dim, double eps) {
            weight = registerParameter("weight", Tensor.ones(dim));
            bias = registerParameter("bias", Tensor.zeros(dim));
            this.eps = eps;
        }

        @Override public Tensor forward(Tensor x) { return Norm.layerNorm(x, 1, weight, bias, eps); }
    }

    public static final class Dropout extends Module {
        private final double p;
        private final Generator g;

        public Dropout(double p, Generator g) {
            this.p = p;
            this.g = g;
        }

        @Override public Tensor forward(Tensor x) { return Norm.dropout(x, p, isTraining(), g); }
    }

    public static final class ReLU extends Module {
        @Override public Tensor forward(Tensor x) { return x.relu(); }
    }

    public static final class GELU extends Module {
        @Override public Tensor forward(Tensor x) { return Pointwise.gelu(x); }
    }

    public static final class Identity extends Module {
        @Override public Tensor forward(Tensor x) { return x; }
    }

    /** Children named 0, 1, 2, ... applied in order. */
    public static class Sequential extends Module {
        private final List<Module> items = new ArrayList<>();

        public Sequential(Module... modules) { for (Module m : modules) add(m); }

        public Sequential add(Module m) {
            registerModule(Integer.toString(items.size()), m);
            items.add(m);
            return this;
        }

        public Module get(int i) { return items.get(i); }

        public int size() { return items.size(); }

        /** A batch norm followed by a ReLU runs as one op ({@link BatchNorm2d#forwardRelu}); the result is the same. */
        @Override public Tensor forward(Tensor x) {
            for (int i = 0; i < items.size(); i++) {
                Module m = items.get(i);
                if (m instanceof BatchNorm2d bn && i + 1 < items.size() && items.get(i + 1) instanceof ReLU) {
                    x = bn.forwardRelu(x);
                    i++;
                } else {
                    x = m.forward(x);
                }
            }
            return x;
        }
    }

    /** Indexed children without a forward of its own (torch.nn.ModuleList). */
    public static final class ModuleList extends Sequential {
        public ModuleList(Module... modules) { super(modules); }

        @Override public Tensor forward(Tensor x) {
            throw new UnsupportedOperationException("ModuleList has no forward; call its items");
        }
    }
}
