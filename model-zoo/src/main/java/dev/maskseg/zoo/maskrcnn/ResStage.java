package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;

import java.util.ArrayList;
import java.util.List;

/**
 * A ResNet stage as detectron2 names it: blocks {@code 0 … n−1}, the first with the stride and the shortcut; optionally
 * a FrozenBN named {@code norm} after the last block (MoCo's Res5ROIHeadsExtraNorm, applied to res5 only).
 */
public final class ResStage extends Module {
    public final List<BottleneckBlock> blocks = new ArrayList<>();
    public final FrozenBatchNorm norm;

    public ResStage(int blocks, int in, int out, int stride, boolean strideInOneByOne, boolean extraNorm, Generator g) {
        this(blocks, in, out, stride, strideInOneByOne, extraNorm, MaskRcnnConfig.Norm.FROZEN_BN, g);
    }

    public ResStage(int blocks, int in, int out, int stride, boolean strideInOneByOne, boolean extraNorm, MaskRcnnConfig.Norm normKind, Generator g) {
        for (int i = 0; i < blocks; i++) {
            this.blocks.add(registerModule(Integer.toString(i),
                    new BottleneckBlock(i == 0 ? in : out, out, out / 4, i == 0 ? stride : 1, strideInOneByOne, normKind, g)));
        }
        norm = extraNorm ? registerModule("norm", new FrozenBatchNorm(out)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        for (BottleneckBlock b : blocks) x = b.forward(x);
        return norm == null ? x : norm.forward(x);
    }
}
