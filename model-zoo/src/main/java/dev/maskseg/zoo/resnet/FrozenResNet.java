package dev.maskseg.zoo.resnet;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.FusedConv2d;
import dev.maskseg.engine.nn.Layers.BatchNorm2d;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Layers.Linear;
import dev.maskseg.engine.nn.Module;
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

    @Override
    public Tensor forward(Tensor x) {
        ResNet.Features f = features(x);
        return f.logits() != null ? f.logits() : f.layer4();
    }

    /** The same stage outputs as {@link ResNet#features}, under no-grad. */
    public ResNet.Features features(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3) throw new IllegalArgumentException("resnet50: expected input [B,3,H,W], got " + x.shapeString());
        try (var ng = GradMode.noGrad()) {
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
}
