#!/usr/bin/env python3
"""Golden fixtures for the detection ops and the R50-C4 Mask R-CNN (docs/methods.md §3.4, design.md §4b).

Values come from our plain-PyTorch reference (detection_ops.py, maskrcnn_reference.py); where torchvision's C ops
load (Debian python3-torchvision 0.14), RoIAlign, NMS and batched NMS are cross-checked against them and the
largest difference is recorded in the manifest ('crosscheck'). Writes
  engine-api/src/test/resources/fixtures/detection/ops.safetensors + ops.json
      op-level cases: tensors '<case>/<field>', fields listed per case (inputs, outputs, gradients of sum(out*w))
  model-zoo/src/test/resources/fixtures/maskrcnn/maskrcnn.safetensors + maskrcnn.json
      `maskseg forward --model maskrcnn_r50_c4` cases: tensors '<case>.<output>' (see maskrcnn_fixture_cases.py),
      and a training-loss case given sampled indices (see maskrcnn_losses_reference.py)
Run: /usr/bin/python3 tools/gen_detection_fixtures.py [--ops-only]
"""
import json, math, os, sys
import torch
import torch.nn.functional as F

import detection_ops as ops
from safetensors_writer import write_safetensors

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OPS_OUT = os.path.join(ROOT, "engine-api", "src", "test", "resources", "fixtures", "detection")
MODEL_OUT = os.path.join(ROOT, "model-zoo", "src", "test", "resources", "fixtures", "maskrcnn")

try:
    import torchvision.ops as tvops
    tvops.nms(torch.zeros(1, 4), torch.zeros(1), 0.5)
except Exception as e:   # noqa: BLE001 - any load failure means: no cross-check
    print(f"torchvision C ops unavailable ({e}); fixtures are written without the cross-check")
    tvops = None


class Cases:
    def __init__(self):
        self.tensors, self.manifest = {}, []

    def add(self, name, op, params, inputs, outputs, grads=None, w=None, **extra):
        """inputs/outputs/grads: name -> tensor; w: the weights of sum(out * w) the gradients are taken of."""
        fields = {}
        for group in (inputs, outputs, grads or {}, {} if w is None else {"w": w}):
            for k, v in group.items():
                self.tensors[f"{name}/{k}"] = v.detach().contiguous()
                fields[k] = list(v.shape)
        entry = {"name": name, "op": op, "params": params, "inputs": list(inputs), "outputs": list(outputs),
                 "grads": list(grads or {}), "shapes": fields, **extra}
        if w is not None:
            entry["grad_weight"] = "w"
        self.manifest.append(entry)


def with_grads(fn, inputs, grad_of, seed):
    """Runs fn on float32 inputs; returns (out, w, {grad_<name>: d sum(out*w) / d input})."""
    ins = {k: v.clone().requires_grad_(k in grad_of) for k, v in inputs.items()}
    out = fn(**ins)
    w = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed))
    (out * w).sum().backward()
    return out, w, {f"grad_{k}": ins[k].grad for k in grad_of}


def roi_align_cases(c, g):
    feats = torch.randn(2, 6, 13, 17, generator=g)
    # samples per bin (h x w) at 7x7, scale 1/16, in the comments
    rois = torch.tensor([[0, 3.2, 4.1, 100.5, 90.3],      # inside, 1x1
                         [1, -20.0, -10.0, 60.0, 50.0],   # partly outside (top-left)
                         [0, 200.0, 150.0, 290.0, 230.0],  # partly outside (bottom-right)
                         [1, 300.0, 250.0, 340.0, 300.0],  # entirely outside
                         [0, 10.0, 10.0, 10.5, 10.2],     # tiny: one sample per bin
                         [1, 50.0, 60.0, 40.0, 55.0],     # inverted: no samples, zeros
                         [0, 0.0, 0.0, 272.0, 208.0],     # whole map: 2x3
                         [1, 100.0, 100.0, 100.0, 100.0],  # empty box: zeros
                         [1, 30.7, 70.2, 250.1, 120.9]])  # 1x2
    cases = [("roi_align_v2_7x7_s16", feats, rois, (7, 7), 1 / 16, 0, True),
             ("roi_align_v2_14x14_s16", feats, rois[:4], (14, 14), 1 / 16, 0, True),
             ("roi_align_v2_5x4_sr2_s4", feats[:, :3], rois[[0, 1, 4, 8]] * torch.tensor([1.0, 0.25, 0.25, 0.25, 0.25]),
              (5, 4), 0.25, 2, True),
             ("roi_align_legacy_7x7_s16", feats[:, :2], rois, (7, 7), 1 / 16, 0, False)]
    masks = (torch.rand(3, 1, 20, 24, generator=g) > 0.5).float()   # mask targets: one instance per "image"
    mrois = torch.tensor([[0, 2.3, 1.7, 15.2, 18.9], [1, -3.0, 4.0, 30.0, 12.5], [2, 5.0, 5.0, 6.5, 7.0]])
    cases.append(("roi_align_v2_mask_target_14x14_s1", masks, mrois, (14, 14), 1.0, 0, True))
    for name, f, r, size, scale, sr, aligned in cases:
        fn = lambda features, rois: ops.roi_align(features, rois, size, scale, sr, aligned)
        out, w, grads = with_grads(fn, {"features": f, "rois": r}, ["features"], len(c.manifest))
        extra = {}
        if tvops is not None:
            fx = f.clone().requires_grad_(True)
            tv = tvops.roi_align(fx, r, size, scale, sr, aligned)
            (tv * w).sum().backward()
            extra["crosscheck"] = {"torchvision_out_max_abs_diff": (tv - out).abs().max().item(),
                                   "torchvision_grad_max_abs_diff": (fx.grad - grads["grad_features"]).abs().max().item()}
            assert extra["crosscheck"]["torchvision_out_max_abs_diff"] < 1e-5, (name, extra)
            assert extra["crosscheck"]["torchvision_grad_max_abs_diff"] < 1e-4, (name, extra)
        c.add(name, "roi_align", {"output_size": list(size), "spatial_scale": scale, "sampling_ratio": sr,
                                  "aligned": aligned}, {"features": f, "rois": r}, {"out": out}, grads, w, **extra)
    empty = torch.zeros(0, 5)
    c.add("roi_align_v2_no_rois", "roi_align", {"output_size": [7, 7], "spatial_scale": 1 / 16, "sampling_ratio": 0,
                                                 "aligned": True},
          {"features": feats, "rois": empty}, {"out": ops.roi_align(feats, empty, (7, 7), 1 / 16, 0, True)})


def random_boxes(g, n, scale=100.0):
    xy = torch.rand(n, 2, generator=g) * scale
    wh = torch.rand(n, 2, generator=g) * scale * 0.5 + 1.0
    return torch.cat([xy, xy + wh], dim=1)


def nms_cases(c, g):
    base = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10], [20, 20, 30, 30], [21, 19, 31, 29],
                         [0, 0, 10, 10], [50, 50, 60, 60], [52, 52, 62, 62], [5, 5, 15, 15], [40, 0, 45, 8],
                         [41, 1, 46, 9], [70, 70, 70, 80]], dtype=torch.float32)
    tied = torch.tensor([0.9, 0.9, 0.9, 0.8, 0.8, 0.95, 0.7, 0.7, 0.9, 0.6, 0.6, 0.5])
    rnd = random_boxes(g, 60)
    rnd_scores = torch.rand(60, generator=g)
    degenerate = torch.tensor([[5, 5, 5, 15], [5, 5, 5, 15], [0, 0, 10, 10], [0, 0, 0, 0], [0, 0, 0, 0]],
                              dtype=torch.float32)
    for name, b, s, t in (("nms_ties_05", base, tied, 0.5), ("nms_ties_07", base, tied, 0.7),
                          ("nms_random_07", rnd, rnd_scores, 0.7), ("nms_random_03", rnd, rnd_scores, 0.3),
                          ("nms_degenerate", degenerate, torch.tensor([0.5, 0.5, 0.4, 0.3, 0.3]), 0.5),
                          ("nms_empty", torch.zeros(0, 4), torch.zeros(0), 0.5)):
        keep = ops.nms(b, s, t)
        extra = {}
        if tvops is not None:
            extra["crosscheck"] = {"torchvision_equal": torch.equal(tvops.nms(b, s, t), keep)}
            # torchvision does not promise an order among equal scores; every other case must agree
            assert extra["crosscheck"]["torchvision_equal"] or "ties" in name, name
        c.add(name, "nms", {"iou_threshold": t}, {"boxes": b, "scores": s}, {"keep": keep}, **extra)
    groups = torch.tensor([0, 1, 0, 0, 1, 2, 2, 2, 0, 1, 1, 2])
    rnd_groups = torch.randint(0, 4, (60,), generator=g)
    for name, b, s, gr, t in (("batched_nms_ties_05", base, tied, groups, 0.5),
                              ("batched_nms_random_05", rnd, rnd_scores, rnd_groups, 0.5),
                              ("batched_nms_empty", torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.int64),
                               0.5)):
        keep = ops.batched_nms(b, s, gr, t)
        extra = {}
        if tvops is not None:
            extra["crosscheck"] = {"torchvision_equal": torch.equal(tvops.batched_nms(b, s, gr, t), keep)}
            assert extra["crosscheck"]["torchvision_equal"] or "ties" in name, name
        c.add(name, "batched_nms", {"iou_threshold": t}, {"boxes": b, "scores": s, "groups": gr}, {"keep": keep},
              **extra)


def box_cases(c, g):
    src, dst = random_boxes(g, 20), random_boxes(g, 20)
    for wname, wts in (("10_10_5_5", (10.0, 10.0, 5.0, 5.0)), ("1_1_1_1", (1.0, 1.0, 1.0, 1.0))):
        c.add(f"box_encode_{wname}", "box_encode", {"weights": list(wts)}, {"src": src, "dst": dst},
              {"deltas": ops.encode(src, dst, wts)})
        deltas = torch.randn(20, 12, generator=g) * 2
        deltas[0, 2], deltas[1, 3], deltas[2, 6], deltas[3, 11] = 30.0, 25.0, 40.0, -30.0   # hit the scale clamp
        c.add(f"box_decode_{wname}", "box_decode", {"weights": list(wts), "scale_clamp": ops.SCALE_CLAMP},
              {"deltas": deltas, "boxes": src}, {"out": ops.decode(deltas, src, wts)})
    grid = [(1, 1), (3, 5), (8, 10), (6, 8)]
    for h, w in grid:
        c.add(f"anchors_{h}x{w}", "anchors", {"height": h, "width": w, "stride": 16, "sizes": [32, 64, 128, 256, 512],
                                              "aspect_ratios": [0.5, 1.0, 2.0], "offset": 0.0},
              {}, {"anchors": ops.grid_anchors(h, w, 16, (32, 64, 128, 256, 512), (0.5, 1.0, 2.0))})
    a = torch.tensor([[0, 0, 10, 10], [5, 5, 15, 15], [10, 0, 20, 10], [3, 3, 3, 9], [0, 0, 0, 0], [2, 2, 8, 8],
                      [100, 100, 120, 140]], dtype=torch.float32)
    b = torch.tensor([[0, 0, 10, 10], [0, 0, 20, 20], [10, 10, 12, 12], [3, 3, 3, 9], [4, 4, 6, 7]], dtype=torch.float32)
    c.add("pairwise_iou_mixed", "pairwise_iou", {}, {"a": a, "b": b}, {"iou": ops.pairwise_iou(a, b)})
    c.add("pairwise_iou_random", "pairwise_iou", {}, {"a": src, "b": dst}, {"iou": ops.pairwise_iou(src, dst)})
    c.add("pairwise_iou_empty", "pairwise_iou", {}, {"a": torch.zeros(0, 4), "b": b},
          {"iou": ops.pairwise_iou(torch.zeros(0, 4), b)})


def dense_cases(c, g):
    for name, xs, ws, stride, pad, opad in (("conv_transpose2d_k2s2", (2, 5, 3, 4), (5, 3, 2, 2), 2, 0, 0),
                                            ("conv_transpose2d_k3s2p1op1", (1, 4, 5, 3), (4, 6, 3, 3), 2, 1, 1),
                                            ("conv_transpose2d_k3s1p1", (2, 3, 4, 4), (3, 2, 3, 3), 1, 1, 0)):
        inputs = {"x": torch.randn(xs, generator=g), "weight": torch.randn(ws, generator=g) * 0.5,
                  "bias": torch.randn(ws[1], generator=g)}
        fn = lambda x, weight, bias: F.conv_transpose2d(x, weight, bias, stride=stride, padding=pad, output_padding=opad)
        out, w, grads = with_grads(fn, inputs, ["x", "weight", "bias"], len(c.manifest))
        c.add(name, "conv_transpose2d", {"stride": stride, "padding": pad, "output_padding": opad}, inputs,
              {"out": out}, grads, w)
    x = torch.randn(30, generator=g) * 2
    t = x.clone()
    t[::3] = torch.randn(10, generator=g) * 2
    t[1] = x[1]                                           # exact zero difference: gradient 0
    t[4] = x[4] + 0.2                                     # inside beta for beta 0.25
    for beta in (0.0, 0.25, 1.0 / 9):
        fn = lambda x, target: ops.smooth_l1(x, target, beta)
        out, w, grads = with_grads(fn, {"x": x, "target": t}, ["x"], len(c.manifest))
        check = (F.smooth_l1_loss(x, t, beta=beta, reduction="none") if beta > 0 else F.l1_loss(x, t, reduction="none"))
        assert torch.allclose(out, check, atol=1e-6)
        c.add(f"smooth_l1_beta{beta:.4f}", "smooth_l1", {"beta": beta, "reduction": "none"}, {"x": x, "target": t},
              {"out": out}, grads, w)
    xl = torch.cat([torch.randn(36, generator=g) * 3, torch.tensor([30.0, -30.0, 80.0, -80.0])])
    yl = torch.cat([(torch.rand(30, generator=g) > 0.5).float(), torch.rand(6, generator=g), torch.tensor([0.0, 1.0, 1.0, 0.0])])
    fn = lambda x, target: ops.bce_with_logits(x, target)
    out, w, grads = with_grads(fn, {"x": xl, "target": yl}, ["x"], len(c.manifest))
    assert torch.allclose(out, F.binary_cross_entropy_with_logits(xl, yl, reduction="none"), atol=1e-6)
    c.add("bce_with_logits", "bce_with_logits", {"reduction": "none"}, {"x": xl, "target": yl}, {"out": out}, grads, w)
    xm = xl.clone().requires_grad_(True)
    mean = ops.bce_with_logits(xm, yl).mean()
    mean.backward()
    c.add("bce_with_logits_mean", "bce_with_logits", {"reduction": "mean"}, {"x": xl, "target": yl},
          {"out": mean.reshape(1)}, {"grad_x": xm.grad})


def paste_cases(c, g):
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, 14), torch.linspace(-1, 1, 14), indexing="ij")
    blob = torch.sigmoid(6 * (0.6 - (xx ** 2 + yy ** 2).sqrt()))
    probs = torch.stack([blob, torch.rand(14, 14, generator=g), blob.T * 0.8 + 0.1, 1 - blob])
    boxes = torch.tensor([[10.3, 5.2, 40.7, 30.1], [-5.0, 20.0, 30.0, 45.0], [45.0, 2.0, 48.5, 4.0],
                          [0.0, 0.0, 56.0, 40.0]])
    soft = ops.paste_masks(probs, boxes, 40, 56, soft=True)
    ref, window = [], torch.zeros(soft.shape, dtype=torch.bool)
    for i in range(probs.shape[0]):          # detectron2's own formulation: grid_sample over the whole image
        x0, y0, x1, y1 = boxes[i]
        gx = (torch.arange(56, dtype=torch.float32) + 0.5 - x0) / (x1 - x0) * 2 - 1
        gy = (torch.arange(40, dtype=torch.float32) + 0.5 - y0) / (y1 - y0) * 2 - 1
        grid = torch.stack([gx[None, :].expand(40, 56), gy[:, None].expand(40, 56)], dim=2)[None]
        ref.append(F.grid_sample(probs[i][None, None], grid, align_corners=False)[0, 0])
        window[i, max(math.floor(y0) - 1, 0):min(math.ceil(y1) + 1, 40),
               max(math.floor(x0) - 1, 0):min(math.ceil(x1) + 1, 56)] = True
    ref = torch.stack(ref)
    extra = {"crosscheck": {"grid_sample_max_abs_diff_in_window": (ref - soft)[window].abs().max().item(),
                            "grid_sample_max_outside_window": ref[~window].max().item()},
             "min_distance_to_threshold": (soft[window] - 0.5).abs().min().item()}
    assert extra["crosscheck"]["grid_sample_max_abs_diff_in_window"] < 1e-5, extra
    assert extra["crosscheck"]["grid_sample_max_outside_window"] < 0.5, extra
    c.add("paste_masks", "paste_masks", {"image_height": 40, "image_width": 56, "threshold": 0.5},
          {"probs": probs, "boxes": boxes}, {"masks": (soft >= 0.5).to(torch.uint8), "soft": soft}, **extra)


def match_cases(c):
    iou = torch.tensor([[0.10, 0.30, 0.70, 0.69, 0.05, 0.00, 0.20, 0.71],
                        [0.25, 0.29, 0.20, 0.75, 0.05, 0.00, 0.20, 0.71],
                        [0.00, 0.00, 0.00, 0.00, 0.25, 0.10, 0.25, 0.00]])
    for name, thr, lab, low in (("match_rpn", [0.3, 0.7], [0, -1, 1], True), ("match_roi", [0.5], [0, 1], False)):
        idx, labels = ops.match(iou, thr, lab, low)
        c.add(name, "match", {"thresholds": thr, "labels": lab, "allow_low_quality_matches": low}, {"iou": iou},
              {"matches": idx, "match_labels": labels.to(torch.int64)})
    idx, labels = ops.match(torch.zeros(0, 5), [0.3, 0.7], [0, -1, 1], True)
    c.add("match_no_gt", "match", {"thresholds": [0.3, 0.7], "labels": [0, -1, 1], "allow_low_quality_matches": True},
          {"iou": torch.zeros(0, 5)}, {"matches": idx, "match_labels": labels.to(torch.int64)})


def main():
    torch.set_grad_enabled(True)
    g = torch.Generator().manual_seed(17)
    c = Cases()
    roi_align_cases(c, g)
    nms_cases(c, g)
    box_cases(c, g)
    dense_cases(c, g)
    paste_cases(c, g)
    match_cases(c)
    os.makedirs(OPS_OUT, exist_ok=True)
    write_safetensors(os.path.join(OPS_OUT, "ops.safetensors"), c.tensors)
    with open(os.path.join(OPS_OUT, "ops.json"), "w") as fh:
        json.dump({"torch": torch.__version__, "generator": "tools/gen_detection_fixtures.py",
                   "grad_rule": "grad_<input> = d sum(out * w) / d input (w = the case's grad_weight tensor); for "
                                "bce_with_logits_mean the gradient of the mean itself",
                   "cases": c.manifest}, fh, indent=1)
    for m in c.manifest:
        if "crosscheck" in m:
            print(m["name"], m["crosscheck"])
    if "--ops-only" in sys.argv:
        return
    from maskrcnn_fixture_cases import model_case
    from maskrcnn_losses_reference import loss_case
    tensors, cases = {}, []
    loss_case("losses_96x128", tensors, cases)
    torch.set_grad_enabled(False)
    model_case("c4_84x116_moco", 84, 116, 2, False, tensors, cases)
    model_case("c4_128x160", 128, 160, 3, True, tensors, cases)
    os.makedirs(MODEL_OUT, exist_ok=True)
    write_safetensors(os.path.join(MODEL_OUT, "maskrcnn.safetensors"), tensors)
    with open(os.path.join(MODEL_OUT, "maskrcnn.json"), "w") as fh:
        json.dump({"torch": torch.__version__, "generator": "tools/gen_detection_fixtures.py", "cases": cases}, fh,
                  indent=1)


if __name__ == "__main__":
    main()
