package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.Init;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Layers.ConvTranspose2d;
import dev.maskseg.engine.nn.Layers.Linear;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Reduce;
import dev.maskseg.engine.ops.RoiAlign;

/**
 * detectron2's Res5ROIHeads with the C4 mask head (docs/methods.md §3.4), named {@code roi_heads.*}: RoIAlign 14x14 at
 * 1/16 (aligned, adaptive sampling) → {@code res5} (3 blocks, 2048 channels, stride 2 → 7x7) → mean over the 7x7 →
 * {@code box_predictor.cls_score} (C+1 logits, background last) and {@code box_predictor.bbox_pred} (4C deltas, class j
 * at columns 4j..4j+3); {@code mask_head}: {@code deconv} (ConvTranspose 2048→256, k2 s2) + ReLU, {@code predictor}
 * (1x1 → C) → [R, C, 14, 14] logits. Initialisation as detectron2: cls_score normal(0.01), bbox_pred normal(0.001),
 * deconv c2_msra_fill, predictor normal(0.001), biases 0.
 */
public final class Res5RoiHeads extends Module {
    /** The box predictor's two linear layers. */
    public static final class BoxPredictor extends Module {
        public final Linear clsScore, bboxPred;

        BoxPredictor(int channels, int classes, Generator g) {
            clsScore = registerModule("cls_score", new Linear(channels, classes + 1, true, g));
            bboxPred = registerModule("bbox_pred", new Linear(channels, 4 * classes, true, g));
        }

        @Override
        public Tensor forward(Tensor x) { return clsScore.forward(x); }
    }

    /** The C4 mask head: deconv + ReLU + 1x1 predictor. */
    public static final class MaskHead extends Module {
        public final ConvTranspose2d deconv;
        public final Conv2d predictor;

        MaskHead(int channels, int dim, int classes, Generator g) {
            deconv = registerModule("deconv", new ConvTranspose2d(channels, dim, 2, 2, 0, 0, 1, true, g));
            predictor = registerModule("predictor", new Conv2d(dim, classes, 1, 1, 0, 1, 1, true, g));
        }

        @Override
        public Tensor forward(Tensor x) { return predictor.forward(deconv.forward(x).relu()); }
    }

    /** Class logits [R, C+1] and box deltas [R, 4C]. */
    public record BoxOutputs(Tensor logits, Tensor deltas) {}

    public final ResStage res5;
    public final BoxPredictor boxPredictor;
    public final MaskHead maskHead;

    public Res5RoiHeads(MaskRcnnConfig config, Generator g) {
        res5 = registerModule("res5", new ResStage(3, config.res4Channels(), config.res5Channels(), 2, config.strideInOneByOne(), config.res5ExtraNorm(),
                config.norm(), g));
        boxPredictor = registerModule("box_predictor", new BoxPredictor(config.res5Channels(), config.numClasses(), g));
        maskHead = registerModule("mask_head", new MaskHead(config.res5Channels(), config.maskHeadChannels(), config.numClasses(), g));
        try (var ng = GradMode.noGrad()) {
            boxPredictor.clsScore.weight.copy_(Init.normal(g, 0, 0.01, boxPredictor.clsScore.weight.shape()));
            boxPredictor.bboxPred.weight.copy_(Init.normal(g, 0, 0.001, boxPredictor.bboxPred.weight.shape()));
            maskHead.deconv.weight.copy_(Init.kaimingNormalFanOut(g, maskHead.deconv.weight.shape()));
            maskHead.predictor.weight.copy_(Init.normal(g, 0, 0.001, maskHead.predictor.weight.shape()));
            for (Tensor b : new Tensor[]{boxPredictor.clsScore.bias, boxPredictor.bboxPred.bias, maskHead.deconv.bias, maskHead.predictor.bias}) b.fill_(0);
        }
    }

    /** RoIAlign of res4 [N,1024,h,w] at rois [R,5] (image index, x1, y1, x2, y2 in input pixels) → [R, 1024, 14, 14]. */
    public static Tensor pool(Tensor res4, Tensor rois) {
        int r = MaskRcnnConfig.POOLER_RESOLUTION;
        return RoiAlign.roiAlign(res4, rois, r, r, 1.0 / MaskRcnnConfig.STRIDE, 0, true);
    }

    /** Region features [R, 2048, 7, 7]: res5 on the pooled rois. */
    public Tensor regionFeatures(Tensor res4, Tensor rois) { return res5.forward(pool(res4, rois)); }

    public BoxOutputs boxHead(Tensor features) {
        Tensor x = Reduce.mean(features, new int[]{2, 3}, false);
        return new BoxOutputs(boxPredictor.clsScore.forward(x), boxPredictor.bboxPred.forward(x));
    }

    public Tensor maskLogits(Tensor features) { return maskHead.forward(features); }

    @Override
    public Tensor forward(Tensor features) { return boxHead(features).logits(); }
}
