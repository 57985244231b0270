package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.DetectionParams;
import dev.maskseg.zoo.maskrcnn.MaskRcnnConfig.ProposalParams;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named outputs of {@code maskseg forward --model maskrcnn_r50_c4} (docs/design.md §4b). Inputs: {@code input}
 * [1,3,H,W] (normalized) and optionally {@code proposals} [R,4] (x1, y1, x2, y2 in input pixels). Outputs:
 * {@code res4} [1,1024,h,w]; {@code rpn_objectness} [h·w·A] and {@code rpn_deltas} [h·w·A,4] in detectron2's (h, w, A)
 * order; with proposals, the heads on those boxes: {@code box_logits} [R,C+1], {@code box_deltas} [R,4C],
 * {@code mask_logits} [R,C,14,14]; end to end at the input's size: {@code boxes} [D,4], {@code scores} [D],
 * {@code classes} [D] (INT64, 0-based), {@code masks} [D,H,W] (UINT8), by descending score.
 */
public final class MaskRcnnOutputs {
    private MaskRcnnOutputs() {}

    public static Map<String, Tensor> forward(MaskRcnnC4 model, Map<String, Tensor> inputs) {
        Tensor x = inputs.get("input");
        if (x == null) throw new IllegalArgumentException("maskrcnn_r50_c4: no tensor named 'input' (got " + inputs.keySet() + ")");
        if (x.dim() != 4 || x.size(0) != 1 || x.size(1) != 3) {
            throw new IllegalArgumentException("maskrcnn_r50_c4: 'input' must be [1,3,H,W], got " + x.shapeString());
        }
        Tensor proposals = inputs.get("proposals");
        if (proposals != null && (proposals.dim() != 2 || proposals.size(1) != 4 || !proposals.dtype().isFloating())) {
            throw new IllegalArgumentException("maskrcnn_r50_c4: 'proposals' must be a floating [R,4] tensor (x1, y1, x2, y2), got "
                    + proposals.dtype() + " " + proposals.shapeString());
        }
        try (var ng = GradMode.noGrad()) {
            int h = x.size(2), w = x.size(3);
            MaskRcnnC4.Inference inf = model.infer(x.to(DType.FLOAT32), h, w, ProposalParams.TEST, DetectionParams.TEST);
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put("res4", inf.res4());
            out.put("rpn_objectness", inf.rpn().objectness().select(0, 0));
            out.put("rpn_deltas", inf.rpn().deltas().select(0, 0));
            if (proposals != null) {
                MaskRcnnC4.HeadOutputs heads = model.heads(inf.res4(), 0, proposals.to(DType.FLOAT32).to(x.backend()), true);
                out.put("box_logits", heads.logits());
                out.put("box_deltas", heads.deltas());
                out.put("mask_logits", heads.maskLogits());
            }
            out.put("boxes", inf.instances().boxes());
            out.put("scores", inf.instances().scores());
            out.put("classes", inf.instances().classes());
            out.put("masks", inf.instances().masks());
            return out;
        }
    }
}
