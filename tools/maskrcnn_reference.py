"""detectron2's R50-C4 Mask R-CNN (eval mode) in plain PyTorch, written from its documented semantics.

Module and parameter names equal detectron2's state-dict names (backbone.res2.0.conv1.norm.weight,
proposal_generator.rpn_head.conv.weight, roi_heads.res5.0.shortcut.weight, roi_heads.box_predictor.cls_score.weight,
roi_heads.mask_head.deconv.weight, ...), so a detectron2 state dict loads with load_state_dict. The ops (RoIAlign,
NMS, box transforms, anchors, mask pasting) come from detection_ops.py. The input is already normalized (the
caller subtracts PIXEL_MEAN and divides by PIXEL_STD in the weights' channel order). See docs/methods.md §3.4.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import detection_ops as ops

ANCHOR_SIZES = (32, 64, 128, 256, 512)
ANCHOR_RATIOS = (0.5, 1.0, 2.0)
STRIDE = 16
RPN_WEIGHTS = (1.0, 1.0, 1.0, 1.0)
ROI_WEIGHTS = (10.0, 10.0, 5.0, 5.0)
TEST = dict(pre_nms_topk=6000, post_nms_topk=1000, rpn_nms=0.7, min_size=0.0,
            score_thresh=0.05, nms=0.5, detections=100, mask_threshold=0.5)


class FrozenBN(nn.Module):
    def __init__(self, n, eps=1e-5):
        super().__init__()
        self.eps = eps
        for k, v in (("weight", torch.ones(n)), ("bias", torch.zeros(n)), ("running_mean", torch.zeros(n)),
                     ("running_var", torch.ones(n) - eps)):
            self.register_buffer(k, v)

    def forward(self, x):
        scale = self.weight * torch.rsqrt(self.running_var + self.eps)
        shift = self.bias - self.running_mean * scale
        return x * scale[None, :, None, None] + shift[None, :, None, None]


class ConvBN(nn.Conv2d):
    """detectron2's Conv2d wrapper with a norm: conv (no bias), then `.norm`."""
    def __init__(self, cin, cout, k, stride=1, padding=0):
        super().__init__(cin, cout, k, stride=stride, padding=padding, bias=False)
        self.norm = FrozenBN(cout)

    def forward(self, x):
        return self.norm(super().forward(x))


class Bottleneck(nn.Module):
    def __init__(self, cin, cout, mid, stride, stride_in_1x1):
        super().__init__()
        s1, s3 = (stride, 1) if stride_in_1x1 else (1, stride)
        self.shortcut = ConvBN(cin, cout, 1, stride) if cin != cout else None
        self.conv1 = ConvBN(cin, mid, 1, s1)
        self.conv2 = ConvBN(mid, mid, 3, s3, 1)
        self.conv3 = ConvBN(mid, cout, 1)

    def forward(self, x):
        y = self.conv3(F.relu(self.conv2(F.relu(self.conv1(x)))))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


def stage(n, cin, cout, stride, stride_in_1x1):
    return nn.Sequential(*[Bottleneck(cin if i == 0 else cout, cout, cout // 4, stride if i == 0 else 1, stride_in_1x1)
                           for i in range(n)])


class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = ConvBN(3, 64, 7, 2, 3)

    def forward(self, x):
        return F.max_pool2d(F.relu(self.conv1(x)), kernel_size=3, stride=2, padding=1)


class Backbone(nn.Module):
    def __init__(self, stride_in_1x1):
        super().__init__()
        self.stem = Stem()
        self.res2 = stage(3, 64, 256, 1, stride_in_1x1)
        self.res3 = stage(4, 256, 512, 2, stride_in_1x1)
        self.res4 = stage(6, 512, 1024, 2, stride_in_1x1)

    def forward(self, x):
        return self.res4(self.res3(self.res2(self.stem(x))))


class RPNHead(nn.Module):
    def __init__(self, c=1024, a=len(ANCHOR_SIZES) * len(ANCHOR_RATIOS)):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.objectness_logits = nn.Conv2d(c, a, 1)
        self.anchor_deltas = nn.Conv2d(c, 4 * a, 1)

    def forward(self, x):
        t = F.relu(self.conv(x))
        return self.objectness_logits(t), self.anchor_deltas(t)


class RPN(nn.Module):
    def __init__(self):
        super().__init__()
        self.rpn_head = RPNHead()


class BoxPredictor(nn.Module):
    def __init__(self, num_classes, c=2048):
        super().__init__()
        self.cls_score = nn.Linear(c, num_classes + 1)
        self.bbox_pred = nn.Linear(c, 4 * num_classes)


class MaskHead(nn.Module):
    def __init__(self, num_classes, c=2048, dim=256):
        super().__init__()
        self.deconv = nn.ConvTranspose2d(c, dim, 2, stride=2)
        self.predictor = nn.Conv2d(dim, num_classes, 1)

    def forward(self, x):
        return self.predictor(F.relu(self.deconv(x)))


class ROIHeads(nn.Module):
    def __init__(self, num_classes, stride_in_1x1):
        super().__init__()
        self.res5 = stage(3, 1024, 2048, 2, stride_in_1x1)
        self.box_predictor = BoxPredictor(num_classes)
        self.mask_head = MaskHead(num_classes)


class MaskRCNN(nn.Module):
    def __init__(self, num_classes, stride_in_1x1=True):
        super().__init__()
        self.num_classes = num_classes
        self.backbone = Backbone(stride_in_1x1)
        self.proposal_generator = RPN()
        self.roi_heads = ROIHeads(num_classes, stride_in_1x1)

    # ---- stage by stage (what `maskseg forward` writes) ----
    def rpn_outputs(self, res4):
        """objectness [h*w*A], deltas [h*w*A, 4], anchors [h*w*A, 4]; rows in (y, x, a) order."""
        obj, dl = self.proposal_generator.rpn_head(res4)
        _, a, h, w = obj.shape
        objectness = obj[0].permute(1, 2, 0).reshape(-1)                       # (A,H,W) -> (H,W,A)
        deltas = dl[0].reshape(a, 4, h, w).permute(2, 3, 0, 1).reshape(-1, 4)  # channel a*4+k -> (H,W,A,4)
        anchors = ops.grid_anchors(h, w, STRIDE, ANCHOR_SIZES, ANCHOR_RATIOS).to(res4.dtype)
        return objectness, deltas, anchors

    def region_features(self, res4, boxes):
        """RoIAlign 14x14 at 1/16 (aligned, adaptive sampling), then res5: [R, 2048, 7, 7]."""
        rois = torch.cat([boxes.new_zeros((boxes.shape[0], 1)), boxes], dim=1)
        pooled = ops.roi_align(res4, rois, (14, 14), 1.0 / STRIDE, 0, True)
        if boxes.shape[0] == 0:
            return res4.new_zeros((0, 2048, 7, 7))
        return self.roi_heads.res5(pooled)

    def box_head(self, feats):
        x = feats.mean(dim=(2, 3))
        p = self.roi_heads.box_predictor
        return p.cls_score(x), p.bbox_pred(x)

    def mask_logits(self, feats):
        return self.roi_heads.mask_head(feats)

    # ---- inference ----
    def find_proposals(self, objectness, deltas, anchors, image_hw, cfg=TEST):
        """find_top_rpn_proposals for one image and one level: boxes [P,4], logits [P] by descending logit, and
        the anchor index [P] of each."""
        h, w = image_hw
        boxes = ops.decode(deltas, anchors, RPN_WEIGHTS)
        k = min(objectness.shape[0], cfg["pre_nms_topk"])
        idx = ops.sort_desc(objectness)[:k]
        boxes, scores = boxes[idx], objectness[idx]
        valid = torch.isfinite(boxes).all(dim=1) & torch.isfinite(scores)
        boxes, scores, idx = ops.clip_boxes(boxes[valid], h, w), scores[valid], idx[valid]
        keep = ops.nonempty(boxes, cfg["min_size"])
        boxes, scores, idx = boxes[keep], scores[keep], idx[keep]
        keep = ops.nms(boxes, scores, cfg["rpn_nms"])[: cfg["post_nms_topk"]]
        return boxes[keep], scores[keep], idx[keep]

    def detect(self, logits, box_deltas, proposals, image_hw, cfg=TEST):
        """fast_rcnn_inference_single_image: boxes [D,4], scores [D], classes [D], proposal index [D]."""
        h, w = image_hw
        c = self.num_classes
        probs = F.softmax(logits, dim=-1)
        boxes = ops.decode(box_deltas, proposals, ROI_WEIGHTS)
        valid = torch.isfinite(boxes).all(dim=1) & torch.isfinite(probs).all(dim=1)
        rows = torch.nonzero(valid).flatten()
        boxes, probs = boxes[valid], probs[valid]
        scores = probs[:, :c]
        boxes = ops.clip_boxes(boxes.reshape(-1, 4), h, w).reshape(-1, c, 4)
        mask = scores > cfg["score_thresh"]
        inds = torch.nonzero(mask)                                  # row-major: (proposal, class)
        boxes, scores = boxes[mask], scores[mask]
        keep = ops.batched_nms(boxes, scores, inds[:, 1], cfg["nms"])[: cfg["detections"]]
        return boxes[keep], scores[keep], inds[keep, 1], rows[inds[keep, 0]]

    def forward_all(self, x, proposals=None, cfg=TEST, hook=lambda name, t: t):
        """Every output of the `maskseg forward` contract (design.md §4b), plus intermediate values for debugging.
        `hook(name, tensor)` may replace res4 and the region features (the margin checks perturb them)."""
        out, dbg = {}, {}
        image_hw = tuple(x.shape[-2:])
        res4 = hook("res4", self.backbone(x))
        out["res4"] = res4
        obj, dl, anchors = self.rpn_outputs(res4)
        out["rpn_objectness"], out["rpn_deltas"], dbg["anchors"] = obj, dl, anchors
        if proposals is not None:
            feats = self.region_features(res4, proposals)
            out["box_logits"], out["box_deltas"] = self.box_head(feats)
            out["mask_logits"] = self.mask_logits(feats)
        props, prop_logits, prop_anchor = self.find_proposals(obj, dl, anchors, image_hw, cfg)
        dbg["rpn_proposals"], dbg["rpn_proposal_logits"], dbg["rpn_proposal_anchor"] = props, prop_logits, prop_anchor
        logits, deltas = self.box_head(hook("box_features", self.region_features(res4, props)))
        boxes, scores, classes, rows = self.detect(logits, deltas, props, image_hw, cfg)
        ml = self.mask_logits(hook("mask_features", self.region_features(res4, boxes)))
        probs = torch.sigmoid(ml[torch.arange(boxes.shape[0]), classes])
        # detector_postprocess at the input's own size: scale 1, clip, drop empty boxes, paste at 0.5
        boxes = ops.clip_boxes(boxes, *image_hw)
        keep = ops.nonempty(boxes)
        boxes, scores, classes, probs = boxes[keep], scores[keep], classes[keep], probs[keep]
        dbg["detection_proposal_index"] = rows[keep]
        soft = ops.paste_masks(probs, boxes, *image_hw, soft=True)
        out["boxes"], out["scores"], out["classes"] = boxes, scores, classes
        out["masks"] = (soft >= cfg["mask_threshold"]).to(torch.uint8)
        dbg["mask_probs"], dbg["masks_soft"] = probs, soft
        return out, dbg
