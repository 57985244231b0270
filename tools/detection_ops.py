"""Detection ops in plain PyTorch, written from detectron2's documented semantics (docs/methods.md §3.4).

No torchvision C ops: RoIAlign, NMS, mask pasting etc. are spelled out here so the fixtures do not depend on a
compiled extension, and so each rule (orders, ties, clamps, empty inputs) is visible in one place. Every
function works in the dtype of its inputs (float32 for fixtures, float64 for the margin checks).
"""
import math
import torch

SCALE_CLAMP = math.log(1000.0 / 16)


# ---- boxes -----------------------------------------------------------------------------------------------
def box_area(b):
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def pairwise_iou(a, b):
    """[N,M] IoU of x1y1x2y2 boxes; 0 wherever the intersection is not positive (so empty boxes give 0)."""
    wh = (torch.minimum(a[:, None, 2:], b[None, :, 2:]) - torch.maximum(a[:, None, :2], b[None, :, :2])).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return torch.where(inter > 0, inter / union, torch.zeros((), dtype=a.dtype))


def clip_boxes(b, h, w):
    return torch.stack((b[:, 0].clamp(0, w), b[:, 1].clamp(0, h), b[:, 2].clamp(0, w), b[:, 3].clamp(0, h)), dim=1)


def nonempty(b, threshold=0.0):
    return ((b[:, 2] - b[:, 0]) > threshold) & ((b[:, 3] - b[:, 1]) > threshold)


def encode(src, dst, weights):
    """Box2BoxTransform.get_deltas: deltas that move src onto dst."""
    wx, wy, ww, wh = weights
    sw, sh = src[:, 2] - src[:, 0], src[:, 3] - src[:, 1]
    sx, sy = src[:, 0] + 0.5 * sw, src[:, 1] + 0.5 * sh
    tw, th = dst[:, 2] - dst[:, 0], dst[:, 3] - dst[:, 1]
    tx, ty = dst[:, 0] + 0.5 * tw, dst[:, 1] + 0.5 * th
    return torch.stack((wx * (tx - sx) / sw, wy * (ty - sy) / sh, ww * torch.log(tw / sw), wh * torch.log(th / sh)), dim=1)


def decode(deltas, boxes, weights, clamp=SCALE_CLAMP):
    """Box2BoxTransform.apply_deltas: deltas [N, 4k] (k boxes per row, e.g. one per class) on boxes [N, 4]."""
    wx, wy, ww, wh = weights
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    cx, cy = boxes[:, 0] + 0.5 * w, boxes[:, 1] + 0.5 * h
    dx, dy = deltas[:, 0::4] / wx, deltas[:, 1::4] / wy
    dw, dh = (deltas[:, 2::4] / ww).clamp(max=clamp), (deltas[:, 3::4] / wh).clamp(max=clamp)
    px, py = dx * w[:, None] + cx[:, None], dy * h[:, None] + cy[:, None]
    pw, ph = torch.exp(dw) * w[:, None], torch.exp(dh) * h[:, None]
    out = torch.stack((px - 0.5 * pw, py - 0.5 * ph, px + 0.5 * pw, py + 0.5 * ph), dim=-1)
    return out.reshape(deltas.shape)


# ---- anchors ---------------------------------------------------------------------------------------------
def cell_anchors(sizes, ratios):
    """[len(sizes)*len(ratios), 4], size-major: w = sqrt(size^2 / ratio), h = ratio * w, centred on 0 (double maths)."""
    rows = []
    for s in sizes:
        for r in ratios:
            w = math.sqrt(s * s / r)
            h = r * w
            rows.append([-w / 2.0, -h / 2.0, w / 2.0, h / 2.0])
    return torch.tensor(rows, dtype=torch.float64).float()


def grid_anchors(h, w, stride, sizes, ratios, offset=0.0):
    """[h*w*A, 4] in (y, x, a) order: anchor (y*w + x)*A + a is cell anchor a shifted by (x*stride, y*stride)."""
    base = cell_anchors(sizes, ratios)
    sx = torch.arange(offset * stride, w * stride, step=stride, dtype=torch.float32)
    sy = torch.arange(offset * stride, h * stride, step=stride, dtype=torch.float32)
    yy, xx = torch.meshgrid(sy, sx, indexing="ij")
    shifts = torch.stack((xx.reshape(-1), yy.reshape(-1), xx.reshape(-1), yy.reshape(-1)), dim=1)
    return (shifts[:, None, :] + base[None, :, :]).reshape(-1, 4)


# ---- NMS -------------------------------------------------------------------------------------------------
def sort_desc(scores):
    """Descending order, ties by the lower index first (design rule)."""
    return torch.sort(scores, descending=True, stable=True).indices


def nms(boxes, scores, iou_threshold):
    """Greedy NMS; a box is suppressed when IoU > threshold with a kept, higher-ranked box. Returns kept indices
    in rank order. IoU = inter / (area_i + area_j - inter) with no guard, so two empty boxes (0/0) never suppress."""
    if boxes.shape[0] == 0:
        return torch.zeros(0, dtype=torch.int64)
    order = sort_desc(scores)
    area = box_area(boxes)
    suppressed = torch.zeros(boxes.shape[0], dtype=torch.bool)
    keep = []
    for i in order.tolist():
        if suppressed[i]:
            continue
        keep.append(i)
        wh = (torch.minimum(boxes[i, 2:], boxes[:, 2:]) - torch.maximum(boxes[i, :2], boxes[:, :2])).clamp(min=0)
        inter = wh[:, 0] * wh[:, 1]
        iou = inter / (area[i] + area - inter)
        suppressed |= iou > iou_threshold
    return torch.tensor(keep, dtype=torch.int64)


def batched_nms(boxes, scores, groups, iou_threshold):
    """NMS within each group independently; kept indices by descending score, ties by the lower index."""
    if boxes.shape[0] == 0:
        return torch.zeros(0, dtype=torch.int64)
    kept = []
    for g in torch.unique(groups).tolist():
        idx = torch.nonzero(groups == g).flatten()
        kept.append(idx[nms(boxes[idx], scores[idx], iou_threshold)])
    kept = torch.sort(torch.cat(kept)).values
    return kept[sort_desc(scores[kept])]


# ---- RoIAlign (ROIAlignV2: aligned=True) ---------------------------------------------------------------
def roi_align(features, rois, output_size, spatial_scale, sampling_ratio=0, aligned=True):
    """features [N,C,H,W], rois [K,5] (batch index, x1, y1, x2, y2 in input pixels) -> [K,C,ph,pw].

    aligned: coordinates are scaled then shifted by -0.5 (pixel centres). sampling_ratio 0: ceil(roi_h/ph) by
    ceil(roi_w/pw) samples per bin (0 samples, hence a zero output, for empty or inverted boxes); the bin value
    is the mean of its samples (divided by max(gh*gw, 1)). Separable: out = Wy @ f @ Wx^T / count.
    Differentiable in `features` by autograd."""
    ph, pw = output_size
    n, c, h, w = features.shape
    dt = features.dtype
    scale = torch.tensor(spatial_scale, dtype=dt)
    off = torch.tensor(0.5 if aligned else 0.0, dtype=dt)
    outs = []
    for r in rois:
        b = int(r[0])
        x1, y1, x2, y2 = r[1:].to(dt) * scale - off     # in the features' dtype, in the op's order
        roi_w, roi_h = x2 - x1, y2 - y1
        if not aligned:
            roi_w, roi_h = roi_w.clamp(min=1.0), roi_h.clamp(min=1.0)
        bin_w, bin_h = roi_w / pw, roi_h / ph
        gw = sampling_ratio if sampling_ratio > 0 else max(int(math.ceil(float(roi_w / pw))), 0)
        gh = sampling_ratio if sampling_ratio > 0 else max(int(math.ceil(float(roi_h / ph))), 0)
        wy = _axis_weights(y1, bin_h, gh, ph, h, dt)
        wx = _axis_weights(x1, bin_w, gw, pw, w, dt)
        outs.append(torch.einsum("ph,chw,qw->cpq", wy, features[b], wx) / max(gh * gw, 1))
    if not outs:
        return features.new_zeros((0, c, ph, pw))
    return torch.stack(outs)


def _axis_weights(start, bin_size, grid, pooled, size, dt):
    """[pooled, size]: each output bin's summed bilinear weights over its `grid` samples along one axis.

    Sample k of bin p sits at start + p*bin + (k+0.5)*bin/grid (in dtype dt). A sample outside [-1, size]
    weighs nothing; otherwise it is clamped at 0, and one at or past size-1 reads the last cell alone."""
    m = torch.zeros(pooled, size, dtype=dt)
    for p in range(pooled):
        for k in range(grid):
            c = start + p * bin_size + torch.tensor(k + 0.5, dtype=dt) * bin_size / grid
            if not (-1.0 <= float(c) <= size):
                continue
            c = torch.clamp(c, min=0.0)
            lo = int(c)
            if lo >= size - 1:
                m[p, size - 1] += 1.0
                continue
            frac = c - lo
            m[p, lo] += 1.0 - frac
            m[p, lo + 1] += frac
    return m


# ---- mask pasting ----------------------------------------------------------------------------------------
def paste_masks(probs, boxes, img_h, img_w, threshold=0.5, soft=False):
    """probs [N,M,M] in [0,1], boxes [N,4] -> [N,img_h,img_w] (bool, or the float values when soft).

    Pixel (y, x) of mask n samples the MxM grid bilinearly at u = (x+0.5-x0)/(x1-x0)*M - 0.5 (rows likewise),
    cells outside the grid counting as 0; kept when value >= threshold. Only the window
    [max(floor(x0)-1,0), min(ceil(x1)+1,W)) x [same for y] is computed; pixels outside it are 0."""
    n, m = probs.shape[0], probs.shape[-1]
    dt = probs.dtype
    out = torch.zeros((n, img_h, img_w), dtype=dt)
    for i in range(n):
        x0, y0, x1, y1 = boxes[i]
        c0 = max(int(math.floor(float(x0))) - 1, 0)
        r0 = max(int(math.floor(float(y0))) - 1, 0)
        c1 = min(int(math.ceil(float(x1))) + 1, img_w)
        r1 = min(int(math.ceil(float(y1))) + 1, img_h)
        if c1 <= c0 or r1 <= r0:
            continue
        gx = (torch.arange(c0, c1, dtype=dt) + 0.5 - x0) / (x1 - x0) * 2 - 1
        gy = (torch.arange(r0, r1, dtype=dt) + 0.5 - y0) / (y1 - y0) * 2 - 1
        ux = ((gx + 1) * m - 1) / 2      # grid_sample's unnormalisation with align_corners=False
        uy = ((gy + 1) * m - 1) / 2
        out[i, r0:r1, c0:c1] = _interp_matrix(uy, m, dt) @ probs[i] @ _interp_matrix(ux, m, dt).T
    return out if soft else out >= threshold


def _interp_matrix(u, m, dt):
    """[len(u), m]: bilinear weights of positions u on cells 0..m-1, cells outside dropped (zero padding)."""
    lo = torch.floor(u)
    f = u - lo
    w = torch.zeros(u.shape[0], m, dtype=dt)
    for j, (l, fr) in enumerate(zip(lo.tolist(), f.tolist())):
        l = int(l)
        if 0 <= l < m:
            w[j, l] += 1 - f[j]
        if 0 <= l + 1 < m:
            w[j, l + 1] += f[j]
    return w


# ---- losses ----------------------------------------------------------------------------------------------
def smooth_l1(x, target, beta):
    """fvcore's smooth L1 (elementwise): |d| when beta < 1e-5, else 0.5 d^2/beta for |d| < beta, |d| - beta/2."""
    d = torch.abs(x - target)
    if beta < 1e-5:
        return d
    return torch.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)


def bce_with_logits(x, y):
    """Elementwise max(x,0) - x*y + log(1 + exp(-|x|))."""
    return x.clamp(min=0) - x * y + torch.log1p(torch.exp(-x.abs()))


# ---- matching and sampling -------------------------------------------------------------------------------
def match(iou, thresholds, labels, allow_low_quality):
    """Matcher: iou [G, P] -> (matched gt index [P] int64, label [P] int8). No GT: index 0, label labels[0].

    Per prediction the best GT (ties: lower GT index); its IoU v gets labels[i] for bounds[i] <= v < bounds[i+1]
    with bounds = [-inf, *thresholds, +inf]. Low-quality: for every GT, each prediction whose IoU equals that
    GT's maximum (all ties, even a maximum of 0) gets label 1 and keeps its own best-GT index."""
    g, p = iou.shape
    if iou.numel() == 0:
        return torch.zeros(p, dtype=torch.int64), torch.full((p,), labels[0], dtype=torch.int8)
    vals, idx = iou.max(dim=0)
    lab = torch.ones(p, dtype=torch.int8)
    bounds = [-math.inf] + list(thresholds) + [math.inf]
    for l, lo, hi in zip(labels, bounds[:-1], bounds[1:]):
        lab[(vals >= lo) & (vals < hi)] = l
    if allow_low_quality:
        best = iou.max(dim=1).values
        lab[torch.nonzero(iou == best[:, None])[:, 1]] = 1
    return idx, lab
