"""Training-time semantics of detectron2's R50-C4 Mask R-CNN (docs/methods.md §3.4), in plain PyTorch, and the
loss fixture built from them. Sampling is random in detectron2 (torch.randperm); here the sampled indices are
inputs, so a reimplementation is checked on everything downstream of its own random draw.

Per image (N images: divide the RPN sums by 256*N and average the RoI losses over all sampled RoIs of the batch):
  RPN:  match anchors to GT (IoU thresholds 0.3/0.7, labels 0/-1/1, low-quality matches on), sample 256 with at
        most half positive; loss_rpn_cls = sum of BCE over sampled / (256 N); loss_rpn_loc = sum of L1 (smooth-L1,
        beta 0) over positives of (pred deltas - encode(anchor, matched GT; weights 1,1,1,1)) / (256 N).
  RoI:  proposals = RPN proposals then the GT boxes appended; match (IoU 0.5, labels 0/1, no low-quality);
        class = matched GT class, background (C) below 0.5; sample 512 with at most a quarter foreground
        (sampled = foreground indices then background indices); loss_cls = mean CE over sampled; loss_box_reg =
        sum of L1 over foreground of (deltas of the GT class - encode(proposal, GT; weights 10,10,5,5)) / #sampled.
  Mask: foreground sampled RoIs in sampled order; target = RoIAlign(GT bitmask of the matched GT, the proposal
        box, 14x14, scale 1, sampling 0, aligned) >= 0.5; loss_mask = mean BCE-with-logits of the GT class's
        14x14 logits.
"""
import torch
import torch.nn.functional as F

import detection_ops as ops

RPN_BATCH, RPN_POS = 256, 0.5
ROI_BATCH, ROI_POS = 512, 0.25


def sample(labels, num, fraction, bg_label, generator):
    """subsample_labels: (positive indices, negative indices), each a random subset in random order."""
    pos = torch.nonzero((labels != -1) & (labels != bg_label)).flatten()
    neg = torch.nonzero(labels == bg_label).flatten()
    npos = min(pos.numel(), int(num * fraction))
    nneg = min(neg.numel(), num - npos)
    return (pos[torch.randperm(pos.numel(), generator=generator)[:npos]],
            neg[torch.randperm(neg.numel(), generator=generator)[:nneg]])


def rpn_targets(anchors, gt_boxes):
    idx, lab = ops.match(ops.pairwise_iou(gt_boxes, anchors), [0.3, 0.7], [0, -1, 1], True)
    return idx, lab


def rpn_losses(objectness, deltas, anchors, gt_boxes, matched, pos, neg, num_images=1):
    labels = torch.full((anchors.shape[0],), -1.0)
    labels[pos], labels[neg] = 1.0, 0.0
    valid = labels >= 0
    cls = ops.bce_with_logits(objectness[valid], labels[valid]).sum()
    if gt_boxes.shape[0] > 0:
        target = ops.encode(anchors[pos], gt_boxes[matched[pos]], (1.0, 1.0, 1.0, 1.0))
        loc = ops.smooth_l1(deltas[pos], target, 0.0).sum()
    else:
        loc = deltas.sum() * 0
    norm = RPN_BATCH * num_images
    return cls / norm, loc / norm


def roi_targets(proposals, gt_boxes, gt_classes, num_classes):
    props = torch.cat([proposals, gt_boxes])
    idx, lab = ops.match(ops.pairwise_iou(gt_boxes, props), [0.5], [0, 1], False)
    if gt_boxes.shape[0] > 0:
        cls = gt_classes[idx].clone()
        cls[lab == 0] = num_classes
        cls[lab == -1] = -1
    else:
        cls = torch.full((props.shape[0],), num_classes, dtype=torch.int64)
    return props, idx, cls


def roi_losses(logits, box_deltas, sampled_props, sampled_gt_boxes, sampled_classes, num_classes):
    cls = F.cross_entropy(logits, sampled_classes) if sampled_classes.numel() else logits.sum() * 0
    fg = torch.nonzero((sampled_classes >= 0) & (sampled_classes < num_classes)).flatten()
    pred = box_deltas.reshape(-1, num_classes, 4)[fg, sampled_classes[fg]]
    target = ops.encode(sampled_props[fg], sampled_gt_boxes[fg], (10.0, 10.0, 5.0, 5.0))
    box = ops.smooth_l1(pred, target, 0.0).sum() / max(sampled_classes.numel(), 1)
    return cls, box


def mask_targets(gt_masks, boxes):
    """gt_masks [n,H,W] (one per foreground RoI, already indexed by its matched GT), boxes [n,4] -> bool [n,14,14]."""
    rois = torch.cat([torch.arange(boxes.shape[0], dtype=boxes.dtype)[:, None], boxes], dim=1)
    return ops.roi_align(gt_masks[:, None].float(), rois, (14, 14), 1.0, 0, True)[:, 0] >= 0.5


def mask_loss(mask_logits, classes, targets):
    if classes.numel() == 0:
        return mask_logits.sum() * 0
    picked = mask_logits[torch.arange(classes.numel()), classes]
    return ops.bce_with_logits(picked, targets.float()).mean()


def loss_case(cid, tensors, cases, num_classes=3, h=96, w=128):
    """One image: anchors of a 6x8 res4 grid, three GT instances (elliptic bitmasks), 40 random proposals and
    12 jittered copies of the GT boxes."""
    g = torch.Generator().manual_seed(23)
    anchors = ops.grid_anchors(h // 16, w // 16, 16, (32, 64, 128, 256, 512), (0.5, 1.0, 2.0))
    gt_boxes = torch.tensor([[10.5, 8.0, 60.2, 50.7], [70.0, 30.3, 120.9, 90.0], [30.0, 60.0, 52.5, 80.25]])
    gt_classes = torch.tensor([2, 0, 2])
    yy, xx = torch.meshgrid(torch.arange(h) + 0.5, torch.arange(w) + 0.5, indexing="ij")
    gt_masks = torch.stack([((xx - (b[0] + b[2]) / 2) / ((b[2] - b[0]) / 2)) ** 2 +
                            ((yy - (b[1] + b[3]) / 2) / ((b[3] - b[1]) / 2)) ** 2 <= 1 for b in gt_boxes])
    xy = torch.rand(40, 2, generator=g) * torch.tensor([w, h])
    wh = torch.rand(40, 2, generator=g) * 60 + 4
    jitter = gt_boxes.repeat(4, 1) + torch.randn(12, 4, generator=g) * 6     # some foreground, some not
    proposals = ops.clip_boxes(torch.cat([torch.cat([xy, xy + wh], 1), jitter]), h, w)

    matched, labels = rpn_targets(anchors, gt_boxes)
    rpn_pos, rpn_neg = sample(labels.long(), RPN_BATCH, RPN_POS, 0, g)
    props, roi_matched, roi_classes = roi_targets(proposals, gt_boxes, gt_classes, num_classes)
    fg, bg = sample(roi_classes, ROI_BATCH, ROI_POS, num_classes, g)
    sampled = torch.cat([fg, bg])
    s_props, s_classes, s_gt = props[sampled], roi_classes[sampled], gt_boxes[roi_matched[sampled]]
    fg_rows = torch.nonzero(s_classes < num_classes).flatten()
    m_targets = mask_targets(gt_masks[roi_matched[sampled][fg_rows]], s_props[fg_rows])

    preds = {"objectness": torch.randn(anchors.shape[0], generator=g),
             "anchor_deltas": torch.randn(anchors.shape[0], 4, generator=g) * 0.5,
             "class_logits": torch.randn(sampled.numel(), num_classes + 1, generator=g),
             "box_deltas": torch.randn(sampled.numel(), 4 * num_classes, generator=g) * 0.5,
             "mask_logits": torch.randn(fg_rows.numel(), num_classes, 14, 14, generator=g)}
    p = {k: v.clone().requires_grad_(True) for k, v in preds.items()}
    losses = {}
    losses["loss_rpn_cls"], losses["loss_rpn_loc"] = rpn_losses(p["objectness"], p["anchor_deltas"], anchors, gt_boxes,
                                                                matched, rpn_pos, rpn_neg)
    losses["loss_cls"], losses["loss_box_reg"] = roi_losses(p["class_logits"], p["box_deltas"], s_props, s_gt,
                                                            s_classes, num_classes)
    losses["loss_mask"] = mask_loss(p["mask_logits"], s_classes[fg_rows], m_targets)
    sum(losses.values()).backward()

    data = {"anchors": anchors, "gt_boxes": gt_boxes, "gt_classes": gt_classes, "gt_masks": gt_masks.to(torch.uint8),
            "proposals": proposals, "rpn_matched": matched, "rpn_match_labels": labels.long(), "rpn_pos": rpn_pos,
            "rpn_neg": rpn_neg, "roi_proposals_with_gt": props, "roi_matched": roi_matched, "roi_classes": roi_classes,
            "roi_sampled": sampled, "roi_num_fg": torch.tensor([fg.numel()]), "mask_targets": m_targets.to(torch.uint8),
            **preds, **{k: v.detach().reshape(1) for k, v in losses.items()},
            **{f"grad_{k}": v.grad for k, v in p.items()}}
    for k, v in data.items():
        tensors[f"{cid}.{k}"] = v.contiguous()
    cases.append({"id": cid, "kind": "losses", "num_classes": num_classes, "image_hw": [h, w], "num_images": 1,
                  "tensors": list(data), "losses": list(losses),
                  "grad_rule": "grad_<pred> = d (sum of the five losses) / d pred",
                  "counts": {"rpn_pos": rpn_pos.numel(), "rpn_neg": rpn_neg.numel(), "roi_fg": fg.numel(),
                             "roi_bg": bg.numel()}})
    print(cid, {k: round(v.item(), 5) for k, v in losses.items()},
          {"rpn_pos": rpn_pos.numel(), "rpn_neg": rpn_neg.numel(), "roi_fg": fg.numel(), "roi_bg": bg.numel()})
