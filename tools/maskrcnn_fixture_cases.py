"""Model-level fixtures for `maskseg forward --model maskrcnn_r50_c4` (design.md §4b), used by gen_detection_fixtures.py.

Weights are FormulaWeights (a function of each detectron2 parameter name, see gen_model_fixtures.py); only the
box classifier is overridden, with tensors stored in the fixture ('<case>.override.<name>'), to give a handful of
well-separated detections. The input is a small synthetic scene, stored. Every discrete decision (RPN top-k and
NMS, score threshold, per-class NMS, top-100, mask threshold) is checked to be the same in float32, float64 and
under 1e-4 relative noise on the features, so a float32 reimplementation must reproduce it exactly; mask pixels
whose pasted probability lies within max(MASK_MARGIN, 4x its largest change under that noise) of 0.5 are
flagged in 'debug.mask_uncertain' (the only pixels allowed to differ).
"""
import time
import numpy as np
import torch

import detection_ops as ops
from gen_model_fixtures import fill, uniform
from maskrcnn_reference import MaskRCNN, ROI_WEIGHTS, TEST

NOISE = 1e-4
MASK_MARGIN = 1e-3
CONTRACT = ["res4", "rpn_objectness", "rpn_deltas", "box_logits", "box_deltas", "mask_logits",
            "boxes", "scores", "classes", "masks"]
TOLERANCE = {"res4": ["rel", 1e-3], "rpn_objectness": ["rel", 1e-3], "rpn_deltas": ["rel", 1e-3],
             "box_logits": ["rel", 1e-3], "box_deltas": ["rel", 1e-3], "mask_logits": ["rel", 1e-3],
             "boxes": ["abs", 0.05], "scores": ["abs", 1e-4], "classes": ["exact", 0],
             "masks": ["exact_where_certain", 0]}


def scene(name, h, w):
    """A normalized-looking image: colour gradients, three ellipses of distinct colour, mild formula noise."""
    u = torch.from_numpy(uniform(name, 3 * h * w).astype(np.float32).reshape(3, h, w))
    yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float32) / h, torch.arange(w, dtype=torch.float32) / w,
                            indexing="ij")
    img = torch.stack([0.6 * xx - 0.3, 0.4 * yy - 0.2, 0.3 * (xx + yy) - 0.3]) + 0.15 * u
    for (cy, cx), (ry, rx), col in (((0.30, 0.25), (0.18, 0.14), (1.6, -1.2, 0.4)),
                                    ((0.62, 0.70), (0.22, 0.17), (-1.3, 1.5, -0.8)),
                                    ((0.72, 0.28), (0.10, 0.12), (0.2, 0.9, 1.8))):
        inside = (((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2) <= 1
        img = torch.where(inside[None], torch.tensor(col)[:, None, None] + 0.1 * u, img)
    return img[None].contiguous()


def given_proposals(h, w):
    """Boxes for the heads-on-given-proposals outputs: inside, partly outside, tiny, whole image, thin."""
    return torch.tensor([[0.1 * w, 0.1 * h, 0.45 * w, 0.5 * h], [-12.0, -7.5, 0.3 * w, 0.35 * h],
                         [0.5 * w, 0.4 * h, 0.5 * w + 3.3, 0.4 * h + 2.1], [0.0, 0.0, float(w), float(h)],
                         [0.6 * w, 0.55 * h, w + 20.0, h + 9.0], [0.2 * w, 0.7 * h, 0.9 * w, 0.7 * h + 6.0]],
                        dtype=torch.float32)


def candidate_stats(model, logits, deltas, props, image_hw):
    """Margins of the detection stage for given classifier logits."""
    c = model.num_classes
    scores = torch.softmax(logits, -1)[:, :c]
    boxes = ops.clip_boxes(ops.decode(deltas, props, ROI_WEIGHTS).reshape(-1, 4), *image_hw).reshape(-1, c, 4)
    above = scores > TEST["score_thresh"]
    s = scores[above]
    if s.numel() > 40 or s.numel() == 0:
        return dict(candidates=int(s.numel()), detections=-1)
    thresh_margin = (scores - TEST["score_thresh"]).abs().min().item()
    gap = s.sort().values.diff().min().item() if s.numel() > 1 else 1.0
    iou_margin = 1.0
    inds = torch.nonzero(above)
    for k in range(c):
        b = boxes[inds[inds[:, 1] == k, 0], k]
        if b.shape[0] > 1:
            iou = ops.pairwise_iou(b, b)
            off = ~torch.eye(b.shape[0], dtype=torch.bool)
            iou_margin = min(iou_margin, (iou[off] - TEST["nms"]).abs().min().item())
    bx, sc, cl, _ = model.detect(logits, deltas, props, image_hw)
    side = torch.minimum(bx[:, 2] - bx[:, 0], bx[:, 3] - bx[:, 1]).min().item() if bx.shape[0] else 0.0
    return dict(candidates=int(s.numel()), detections=int(sc.numel()), classes=len(set(cl.tolist())),
                thresh_margin=thresh_margin, score_gap=gap, nms_iou_margin=iou_margin, min_box_side=side)


def pick_templates(props, scores, feats, num, image_hw, min_side=16.0):
    """`num` RPN proposals of decent size, off the border, overlapping each other by IoU < 0.3 (best logit first)."""
    h, w = image_hw
    side = torch.minimum(props[:, 2] - props[:, 0], props[:, 3] - props[:, 1])
    ok = (side >= min_side) & (props[:, 0] > 2) & (props[:, 1] > 2) & (props[:, 2] < w - 2) & (props[:, 3] < h - 2)
    chosen = []
    for i in ops.sort_desc(scores).tolist():
        if ok[i] and all(ops.pairwise_iou(props[i:i + 1], props[j:j + 1]).item() < 0.3 for j in chosen):
            chosen.append(i)
        if len(chosen) == num:
            break
    assert len(chosen) == num, "not enough well-shaped proposals for the classifier templates"
    return chosen


def tune_classifier(model, x, want=(3, 6), delta_std=0.5, min_side=8.0, max_logit=40.0):
    """Make the box predictor give a handful of well-separated detections. The regressor weight is scaled so its
    deltas have std `delta_std` (detections stay near their proposals). The classifier keeps its formula rows, or
    (if that separates better) class row c becomes the centred feature of one chosen proposal (a template, at the
    formula row's norm); the whole classifier weight is then scaled by k and the background bias raised, (rows,
    k, shift) chosen for the widest margins with `want` detections of sides >= `min_side` px and logits below
    `max_logit`. Returns the override tensors and the margins."""
    image_hw = tuple(x.shape[-2:])
    c = model.num_classes
    with torch.no_grad():
        res4 = model.backbone(x)
        obj, dl, anchors = model.rpn_outputs(res4)
        props, logits, _ = model.find_proposals(obj, dl, anchors, image_hw)
        f = model.region_features(res4, props).mean(dim=(2, 3))
        pred = model.roi_heads.box_predictor
        w_formula, b0 = pred.cls_score.weight.clone(), pred.cls_score.bias.clone()
        w_template = w_formula.clone()
        centred = f - f.mean(dim=0)
        for row, i in enumerate(pick_templates(props, logits, f, c, image_hw)):
            w_template[row] = centred[i] / centred[i].norm() * w_formula[row].norm()
        reg_scale = delta_std / (f @ pred.bbox_pred.weight.T).std().item()
        reg_w = reg_scale * pred.bbox_pred.weight
        deltas = f @ reg_w.T + pred.bbox_pred.bias
    best = None
    for min_classes in (2, 1):                      # prefer detections of at least two classes
        for rows, w0 in (("formula", w_formula), ("template", w_template)):
            wf = f @ w0.T
            for k in (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0):
                top = (k * wf[:, :c] + b0[:c] - (k * wf[:, c:] + b0[c:])).max().item() + 4.0
                for shift in np.linspace(0.0, max(top, 1.0), 400):
                    b = b0.clone()
                    b[-1] += float(shift)
                    lg = k * wf + b
                    if lg.abs().max().item() > max_logit:
                        continue
                    st = candidate_stats(model, lg, deltas, props, image_hw)
                    if not want[0] <= st["detections"] <= want[1] or st["min_box_side"] < min_side \
                            or st["classes"] < min_classes:
                        continue
                    score = min(st["thresh_margin"] / 0.05, st["score_gap"] * 20, st["nms_iou_margin"] * 10)
                    if best is None or score > best[0]:
                        best = (score, rows, w0, k, float(shift), st)
        if best is not None:
            break
    assert best is not None, "no classifier setting gives the wanted number of detections"
    _, rows, w0, k, shift, st = best
    b = b0.clone()
    b[-1] += shift
    overrides = {"roi_heads.box_predictor.cls_score.weight": (k * w0).contiguous(),
                 "roi_heads.box_predictor.cls_score.bias": b,
                 "roi_heads.box_predictor.bbox_pred.weight": reg_w.contiguous()}
    return overrides, dict(classifier_rows=rows, classifier_weight_scale=k, background_bias_shift=shift,
                           regressor_weight_scale=reg_scale, **st, rpn_proposals=int(props.shape[0]))


def tune_mask_bias(model, x):
    """Shift the mask predictor's bias so that, per detected class, the median logit of its detections' 14x14
    masks is 0: the pasted masks then cover about half of their boxes (formula weights leave them nearly empty)."""
    with torch.no_grad():
        out, dbg = model.forward_all(x)
        bias = model.roi_heads.mask_head.predictor.bias.clone()
        logits = torch.logit(dbg["mask_probs"].double()).float()
        for k in set(out["classes"].tolist()):
            bias[k] -= logits[out["classes"] == k].median()
    return {"roi_heads.mask_head.predictor.bias": bias}


def apply(model, overrides):
    sd = model.state_dict()
    with torch.no_grad():
        for k, v in overrides.items():
            sd[k].copy_(v)


def decisions(out, dbg):
    """The detections as (anchor of their RPN proposal, class), in output order. The RPN proposal list itself is
    not required to match: among ~1000 objectness logits some differ by less than float32 noise, so their order,
    and rarely an NMS 0.7 decision between two of them, may differ in another implementation."""
    anchors = dbg["rpn_proposal_anchor"][dbg["detection_proposal_index"]]
    return list(zip(anchors.tolist(), out["classes"].tolist()))


def rpn_set_difference(d1, d2):
    return len(set(d1["rpn_proposal_anchor"].tolist()) ^ set(d2["rpn_proposal_anchor"].tolist()))


def noisy(seed):
    g = torch.Generator().manual_seed(seed)
    return lambda name, t: t * (1 + NOISE * torch.randn(t.shape, generator=g, dtype=t.dtype))


def model_case(cid, h, w, num_classes, stride_in_1x1, tensors, cases):
    t0 = time.time()
    model = MaskRCNN(num_classes, stride_in_1x1).eval()
    fill(model)
    x = scene(f"{cid}_input", h, w)
    overrides, tuning = tune_classifier(model, x)
    apply(model, overrides)
    mask_bias = tune_mask_bias(model, x)
    apply(model, mask_bias)
    overrides.update(mask_bias)
    props = given_proposals(h, w)
    with torch.no_grad():
        out, dbg = model.forward_all(x, props)
        ref = decisions(out, dbg)
        out64, dbg64 = model.double().forward_all(x.double(), props.double())
        model.float()
        assert decisions(out64, dbg64) == ref, f"{cid}: float64 decisions differ from float32"
        soft_change, rpn_diff = (dbg64["masks_soft"].float() - dbg["masks_soft"]).abs().max().item(), \
            [rpn_set_difference(dbg, dbg64)]
        for seed in (1, 2, 3):
            o, d = model.forward_all(x, props, hook=noisy(seed))
            assert decisions(o, d) == ref, f"{cid}: decisions change under {NOISE} relative noise"
            rpn_diff.append(rpn_set_difference(dbg, d))
            soft_change = max(soft_change, (d["masks_soft"] - dbg["masks_soft"]).abs().max().item())
    band = max(MASK_MARGIN, 4 * soft_change)
    f64_err = {k: (out[k].double() - out64[k]).abs().max().item() for k in CONTRACT if out[k].is_floating_point()}
    for k in CONTRACT:
        tensors[f"{cid}.{k}"] = out[k].contiguous()
    tensors[f"{cid}.input"] = x
    tensors[f"{cid}.proposals"] = props
    dbg["detection_anchor"] = dbg["rpn_proposal_anchor"][dbg["detection_proposal_index"]]
    debug = ["anchors", "rpn_proposals", "rpn_proposal_logits", "rpn_proposal_anchor", "detection_proposal_index",
             "detection_anchor", "mask_probs"]
    for k in debug:
        tensors[f"{cid}.debug.{k}"] = dbg[k].contiguous()
    uncertain = ((dbg["masks_soft"] - 0.5).abs() < band).to(torch.uint8)
    tensors[f"{cid}.debug.mask_uncertain"] = uncertain
    for k, v in overrides.items():
        tensors[f"{cid}.override.{k}"] = v
    cases.append({
        "id": cid, "model": "maskrcnn_r50_c4", "num_classes": num_classes, "stride_in_1x1": stride_in_1x1,
        "input": f"{cid}.input", "input_shape": list(x.shape), "proposals": f"{cid}.proposals",
        "outputs": CONTRACT, "tolerance": TOLERANCE,
        "debug": [f"debug.{k}" for k in debug + ["mask_uncertain"]],
        "overrides": list(overrides),
        "detections": int(out["scores"].numel()), "mask_uncertain_pixels": int(uncertain.sum()),
        "mask_uncertain_band": band,
        "rpn_proposals_changed_under_noise": max(rpn_diff),
        "tuning": tuning, "float64_max_abs_diff": f64_err,
        "weights": "FormulaWeights.fill(model, \"\") on detectron2 state-dict names, then the overrides",
        "state_dict": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "compare": {"masks": "equal wherever debug.mask_uncertain is 0",
                    "debug.rpn_proposals": "as a set of anchors (debug.rpn_proposal_anchor): near-tied logits may "
                                           "reorder, and rarely flip one NMS decision, in another float32 "
                                           "implementation; rpn_proposals_changed_under_noise says how many",
                    "detections": "boxes/scores/classes in order; debug.detection_anchor identifies each one's "
                                  "RPN proposal"},
    })
    print(f"{cid}: {tuning['rpn_proposals']} proposals, {out['scores'].numel()} detections "
          f"(scores {[round(s, 4) for s in out['scores'].tolist()]}), {int(uncertain.sum())} uncertain mask pixels, "
          f"{time.time() - t0:.0f}s")
