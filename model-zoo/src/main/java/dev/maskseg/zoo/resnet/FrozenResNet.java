package dev.maskseg.zoo.resnet;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.FusedConv2d;
import dev.maskseg.engine.nn.Layers.BatchNorm2d;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Layers.Linear;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.ChannelBlocked;
import dev.maskseg.engine.ops.LinAlg;
import dev.maskseg.engine.ops.Pool;
import dev.maskseg.engine.ops.Reduce;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ResNet} frozen for inference, as {@code torch.jit.freeze} + {@code optimize_for_inference} or an ONNX Runtime
 * session make it: every conv with its eval-mode batch norm folded in ({@link FusedConv2d}), the ReLUs and each block's
 * residual add fused into the convolution that precedes them, and the weights packed once by the backend on first use.
 * The weights are copies taken at freezing time: training or loading into the source ResNet afterwards does not
 * change this one. No gradient.
 */
public final class FrozenResNet extends Module {
    /** One bottleneck: conv1/conv2 with ReLU, conv3 with the residual add and ReLU, the projection without ReLU. */
    private record Block(FusedConv2d conv1, FusedConv2d conv2, FusedConv2d conv3, FusedConv2d downsample) {
        /**
         * Closes its intermediates once read, and x too when closeInput, so the next layer's output reuses a buffer
         * still in cache ({@link dev.maskseg.engine.storage.FloatBufferPool}) instead of fresh memory zeroed far away.
         */
        Tensor forward(Tensor x, boolean closeInput) {
            Tensor identity = downsample == null ? x : downsample.forward(x);
            Tensor h1 = conv1.forward(x);
            Tensor h2 = conv2.forward(h1);
            h1.close();
            Tensor out = conv3.forward(h2, identity);
            h2.close();
            if (downsample != null) identity.close();
            if (closeInput) x.close();
            return out;
        }

        /** The same in the channels-blocked layout: each output with the zero border its reader pads by; x is closed or written over. */
        ChannelBlocked forward(ChannelBlocked x) {
            ChannelBlocked identity = downsample == null ? x : downsample.forward(x, null, 0);
            ChannelBlocked h1 = conv1.forward(x, null, conv2.inputBorder());
            ChannelBlocked h2 = conv2.forward(h1, null, conv3.inputBorder());
            h1.close();
            if (downsample != null) x.close();
            ChannelBlocked out = conv3.forwardOnto(h2, identity);   // the sum over the identity: x itself when no projection
            h2.close();
            return out;
        }

        /** Whether be runs all of this block's convolutions blocked, on an input of cin channels without a border. */
        boolean blocked(Backend be, DType dt, int cin) {
            return takes(be, dt, conv1, 0) && takes(be, dt, conv2, conv2.inputBorder()) && takes(be, dt, conv3, conv3.inputBorder())
                    && conv1.weight.size(1) == cin && (downsample == null ? conv3.weight.size(0) == cin : takes(be, dt, downsample, 0))
                    && conv1.inputBorder() == 0 && (downsample == null || downsample.inputBorder() == 0);
        }

        private static boolean takes(Backend be, DType dt, FusedConv2d c, int border) {
            return be.blockedConv(dt, c.weight.size(1), c.weight.size(0), c.params, border);
        }
    }

    private final FusedConv2d stem;
    private final List<List<Block>> layers = new ArrayList<>();
    private final Tensor fcWeight, fcBias;

    FrozenResNet(ResNet source) {
        stem = registerModule("stem", FusedConv2d.fold(source.conv1, source.bn1, true));
        int li = 1;
        for (var layer : List.of(source.layer1, source.layer2, source.layer3, source.layer4)) {
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < layer.size(); i++) {
                Bottleneck b = (Bottleneck) layer.get(i);
                FusedConv2d down = b.downsample == null ? null
                        : FusedConv2d.fold((Conv2d) b.downsample.get(0), (BatchNorm2d) b.downsample.get(1), false);
                Block block = new Block(FusedConv2d.fold(b.conv1, b.bn1, true), FusedConv2d.fold(b.conv2, b.bn2, true),
                        FusedConv2d.fold(b.conv3, b.bn3, true), down);
                String name = "layer" + li + "." + i;
                registerModule(name + ".conv1", block.conv1());
                registerModule(name + ".conv2", block.conv2());
                registerModule(name + ".conv3", block.conv3());
                if (down != null) registerModule(name + ".downsample", down);
                blocks.add(block);
            }
            layers.add(blocks);
            li++;
        }
        Linear fc = source.fc;
        fcWeight = fc == null ? null : registerBuffer("fc.weight", fc.weight.detach().clone());
        fcBias = fc == null || fc.bias == null ? null : registerBuffer("fc.bias", fc.bias.detach().clone());
        train(false);
    }

    /** A frozen layer's weights are fixed (its packed forms are never compared with them): load into the source and freeze again. */
    @Override
    public LoadReport loadStateDict(java.util.Map<String, Tensor> source, boolean strict) {
        throw new UnsupportedOperationException("FrozenResNet: a frozen model's weights are fixed; load them into the source model and freeze it again");
    }

    /** The backend and dtype last asked about, and whether every block runs blocked on them. */
    private Backend blockedFor;
    private DType blockedDtype;
    private boolean blockedAnswer;

    /**
     * Whether the bottlenecks run on channels-blocked activations ({@link ChannelBlocked}): when the backend has a direct
     * convolution for every one of their layers (jvm with 16-lane vectors), which reads its input in place where the
     * NCHW paths pack it, as ONNX Runtime's NCHWc transform does; the stem reads the NCHW image and writes blocks.
     */
    private synchronized boolean blocked(Backend be, DType dt) {
        if (be != blockedFor || dt != blockedDtype) {
            boolean all = true;
            int cin = stem.weight.size(0);
            for (List<Block> layer : layers) {
                for (Block b : layer) {
                    all &= b.blocked(be, dt, cin);
                    cin = b.conv3().weight.size(0);
                }
            }
            blockedFor = be;
            blockedDtype = dt;
            blockedAnswer = all;
        }
        return blockedAnswer;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (fcWeight != null && x.dim() == 4 && x.size(1) == 3) {
            try (var ng = GradMode.noGrad()) {
                if (blocked(x.backend(), x.dtype())) return blockedFeatures(x, false).logits();
            }
        }
        ResNet.Features f = features(x);
        return f.logits() != null ? f.logits() : f.layer4();
    }

    /** The same stage outputs as {@link ResNet#features}, under no-grad. */
    public ResNet.Features features(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3) throw new IllegalArgumentException("resnet50: expected input [B,3,H,W], got " + x.shapeString());
        try (var ng = GradMode.noGrad()) {
            if (blocked(x.backend(), x.dtype())) return blockedFeatures(x, true);
            Tensor stemOut = stem.forward(x);
            Tensor t = Pool.maxPool2d(stemOut, 3, 2, 1);
            stemOut.close();
            Tensor layer3 = null;
            for (int l = 0; l < layers.size(); l++) {
                for (Block b : layers.get(l)) t = b.forward(t, t != layer3);   // every block input is ours but the returned layer3
                if (l == 2) layer3 = t;
            }
            Tensor logits = fcWeight == null ? null : LinAlg.linear(Reduce.mean(t, new int[]{2, 3}, false), fcWeight, fcBias);
            return new ResNet.Features(layer3, t, logits);
        }
    }

    /** The stem written channels-blocked, pooled and the bottlenecks run in that layout; layer3 (with stages) and layer4 back in NCHW. */
    private ResNet.Features blockedFeatures(Tensor x, boolean stages) {
        ChannelBlocked stemOut = stem.forwardToBlocked(x, 0);
        ChannelBlocked t = Pool.maxPool2dBlocked(stemOut, 3, 2, 1, 0);
        stemOut.close();
        Tensor layer3 = null;
        for (int l = 0; l < layers.size(); l++) {
            for (Block b : layers.get(l)) t = b.forward(t);
            if (l == 2 && stages) layer3 = t.toNchw();
        }
        Tensor layer4 = stages ? t.toNchw() : null;
        Tensor logits = fcWeight == null ? null : LinAlg.linear(t.meanOverPixels(), fcWeight, fcBias);
        t.close();
        return new ResNet.Features(layer3, layer4, logits);
    }
}
