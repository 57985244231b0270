package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Pool;

/**
 * The C4 backbone (detectron2's ResNet-50 up to res4, docs/methods.md §3.4): stem (7x7 stride-2 conv + FrozenBN, ReLU,
 * 3x3 stride-2 max-pool) and stages res2 (3 blocks, 256 channels), res3 (4, 512, stride 2), res4 (6, 1024, stride 2);
 * output stride 16. Names: {@code stem.conv1.*}, {@code res2.0.conv1.*}, ...
 */
public final class ResNetC4 extends Module {
    /** The stem: detectron2's BasicStem, whose only child is {@code conv1}. */
    public static final class Stem extends Module {
        public final ConvNorm conv1;

        Stem(int width, MaskRcnnConfig.Norm norm, Generator g) { conv1 = registerModule("conv1", new ConvNorm(3, width, 7, 2, 3, norm, g)); }

        @Override
        public Tensor forward(Tensor x) { return Pool.maxPool2d(conv1.forward(x).relu(), 3, 2, 1); }
    }

    public final Stem stem;
    public final ResStage res2, res3, res4;
    private int frozen;

    public ResNetC4(boolean strideInOneByOne, Generator g) { this(strideInOneByOne, 64, MaskRcnnConfig.Norm.FROZEN_BN, g); }

    /** A ResNet-50 shape scaled by {@code width} / 64 (see {@link MaskRcnnConfig}). */
    public ResNetC4(boolean strideInOneByOne, int width, MaskRcnnConfig.Norm norm, Generator g) {
        stem = registerModule("stem", new Stem(width, norm, g));
        res2 = registerModule("res2", new ResStage(3, width, 4 * width, 1, strideInOneByOne, false, norm, g));
        res3 = registerModule("res3", new ResStage(4, 4 * width, 8 * width, 2, strideInOneByOne, false, norm, g));
        res4 = registerModule("res4", new ResStage(6, 8 * width, 16 * width, 2, strideInOneByOne, false, norm, g));
    }

    /** [N, 3, H, W] (normalized) → res4 [N, 1024, ⌈H/16⌉-ish, …]. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3) throw new IllegalArgumentException("maskrcnn_r50_c4: expected input [N,3,H,W], got " + x.shapeString());
        return res4.forward(res3.forward(res2.forward(stem.forward(x))));
    }

    /**
     * detectron2's freeze_at: 0 trains everything, 1 freezes the stem, 2 the stem and res2 (the default), … up to 4.
     * FrozenBN buffers are never trained anyway; a trained BN in a frozen stage stays in eval mode (its running
     * statistics), as detectron2 turns it into a FrozenBN.
     */
    public void freezeAt(int stages) {
        Module[] order = {stem, res2, res3, res4};
        frozen = Math.min(stages, order.length);
        for (int i = 0; i < order.length; i++) {
            for (Tensor p : order[i].parameters()) p.requiresGrad(i >= stages);
        }
        train(isTraining());
    }

    @Override
    public Module train(boolean on) {
        super.train(on);
        Module[] order = {stem, res2, res3, res4};
        for (int i = 0; i < frozen; i++) order[i].train(false);
        return this;
    }
}
