#!/usr/bin/env python3
"""Reference masks for the DINO priors (docs/methods.md §3.2, §4.2, §4.3), written literally from the spec with
Debian python3-torch, python3-scipy and python3-pil. The ViT has the formula weights of gen_model_fixtures.py
(FormulaWeights.java), so nothing large is stored. Writes under plugins/prior-dino/src/test/resources/priors/:
  images/*.png              procedural test images (objects on textured backgrounds)
  reference.safetensors     per image and prior: '<stem>.<prior>.patch' [rows, cols] and '<stem>.<prior>.mask' [H, W]
  reference.json            the cases and parameters
Ties in sorts and top-k go to the lower index (docs/design.md §4). Run: /usr/bin/python3 tools/gen_prior_fixtures.py
"""
import json, os
import numpy as np
import scipy.ndimage as ndi
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw
from gen_model_fixtures import ViT, fill
from safetensors_writer import write_safetensors

OUT = os.path.join(os.path.dirname(__file__), "..", "plugins", "prior-dino", "src", "test", "resources", "priors")
MEAN, STD = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1), torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
SIZES = [(500, 375), (375, 500), (320, 240), (480, 352), (256, 256), (400, 300)]


def make_image(i, w, h):
    rng = np.random.default_rng(100 + i)
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([(xx * (1 + i) + yy * 2) % 97, (yy * 3 + i * 20) % 131, (xx + yy) % 61], -1).astype(np.float64)
    base = base / base.max() * 120 + rng.normal(0, 18, (h, w, 3))
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    for _ in range(1 + i % 2):
        cx, cy, r = rng.integers(w // 4, 3 * w // 4), rng.integers(h // 4, 3 * h // 4), rng.integers(min(w, h) // 8, min(w, h) // 4)
        col = tuple(int(c) for c in rng.integers(150, 256, 3))
        if rng.random() < 0.5:
            d.ellipse([cx - r, cy - r * 0.7, cx + r, cy + r * 0.7], fill=col)
        else:
            d.polygon([(cx - r, cy + r), (cx, cy - r), (cx + r, cy + r)], fill=col)
    return img


def to_input(img, patch):
    x = (torch.from_numpy(np.asarray(img, dtype=np.uint8).copy()).permute(2, 0, 1).float() / 255 - MEAN) / STD
    h, w = x.shape[1:]
    return F.pad(x, (0, (patch - w % patch) % patch, 0, (patch - h % patch) % patch)).unsqueeze(0)


def mass_threshold(a, f):
    a = torch.as_tensor(a, dtype=torch.float32)
    idx = torch.from_numpy(np.argsort(a.numpy(), kind="stable"))
    val = a[idx]
    val = val / torch.sum(val)
    keep_sorted = torch.cumsum(val, 0) > (1 - f)
    keep = torch.zeros_like(keep_sorted)
    keep[idx] = keep_sorted
    return keep.numpy()


def topk_desc(a, k):
    return np.lexsort((np.arange(len(a)), -a.astype(np.float64)))[:k]


def component(binary, rows, cols, seed):
    lab, _ = ndi.label(binary.reshape(rows, cols))   # 4-connectivity (the default cross)
    return (lab == lab.flat[seed]).reshape(-1) & binary


def keys(out):
    k = out["k_last"][0]          # [H, N+1, d]
    return k[:, 1:, :].permute(1, 0, 2).reshape(k.shape[1] - 1, -1)


def lost(out, rows, cols, k=100):
    f = keys(out)
    A = f @ f.t()
    B = A.clone(); B.fill_diagonal_(0); B[B < 0] = 0
    degree = (B > 0).sum(1).numpy()
    order = np.lexsort((np.arange(len(degree)), degree))
    seed = order[0]
    pots = order[:k]
    sims = [p for p in pots if A[seed, p] > 0]
    M = A[sims, :].sum(0).numpy()
    return component(M > 0, rows, cols, seed)


def dino(out, f, heads):
    att = out["attn_last"][0, :, 0, 1:]
    if heads == "sum":
        return mass_threshold(att.sum(0), f)
    return np.any([mass_threshold(att[h], f) for h in range(att.shape[0])], axis=0)


def maskdistill(out, rows, cols, heads=5, topk=0.4):
    q, k = out["q_last"][0], out["k_last"][0]
    a = (q[:heads, 0:1, :] @ k[:heads, 1:, :].transpose(1, 2))[:, 0, :].mean(0)
    a = a * torch.from_numpy(mass_threshold(a, 0.5)).float()
    n = rows * cols
    P = topk_desc(a.numpy(), int(np.floor(topk * n)))
    s = P[0]
    f = keys(out)
    G = f @ f.t()
    Pp = [j for j in P if G[s, j] > 0]
    d = G[Pp, :].sum(0).numpy()
    return component(d > 0, rows, cols, s)


def upsample(grid, rows, cols, patch, w, h):
    return np.kron(grid.reshape(rows, cols).astype(np.uint8), np.ones((patch, patch), np.uint8))[:h, :w].astype(bool)


def prior_vit():
    """Formula weights with the residual branches (attn.proj, mlp.fc2) scaled by 0.1: a deep random transformer
    otherwise collapses every token onto one direction, and LOST/MaskDistill would select the whole image.
    Mirrored by the Java test."""
    vit = ViT().eval()
    fill(vit)
    with torch.no_grad():
        for name, p in vit.named_parameters():
            if name.endswith("attn.proj.weight") or name.endswith("mlp.fc2.weight"):
                p.mul_(0.1)
    return vit


def main():
    os.makedirs(os.path.join(OUT, "images"), exist_ok=True)
    vit = prior_vit()
    tensors, cases = {}, []
    with torch.no_grad():
        for i, (w, h) in enumerate(SIZES):
            stem = f"img{i}"
            img = make_image(i, w, h)
            img.save(os.path.join(OUT, "images", stem + ".png"))
            x = to_input(img, 16)
            rows, cols = x.shape[2] // 16, x.shape[3] // 16
            out = vit(x)
            for prior, grid in (("dino-attention", dino(out, 0.6, "sum")), ("dino-attention-each", dino(out, 0.6, "each")),
                                ("lost", lost(out, rows, cols))):
                tensors[f"{stem}.{prior}.patch"] = torch.from_numpy(grid.reshape(rows, cols))
                tensors[f"{stem}.{prior}.mask"] = torch.from_numpy(upsample(grid, rows, cols, 16, w, h))
            # MaskDistill: torchvision Resize(640) on the PIL image (bilinear), zero-pad, then the algorithm
            nw, nh = (640, int(640 * h / w)) if w <= h else (int(640 * w / h), 640)
            r = img.resize((nw, nh), Image.BILINEAR)
            x = to_input(r, 16)
            rows, cols = x.shape[2] // 16, x.shape[3] // 16
            grid = maskdistill(vit(x), rows, cols)
            m = Image.fromarray(upsample(grid, rows, cols, 16, nw, nh).astype(np.uint8) * 255, "L").resize((w, h))
            tensors[f"{stem}.maskdistill.patch"] = torch.from_numpy(grid.reshape(rows, cols))
            tensors[f"{stem}.maskdistill.mask"] = torch.from_numpy(np.asarray(m) > 0)
            cases.append({"stem": stem, "width": w, "height": h})
            print(stem, {k.split(".")[1]: int(v.sum()) for k, v in tensors.items() if k.startswith(stem) and k.endswith("patch")})
    write_safetensors(os.path.join(OUT, "reference.safetensors"), tensors)
    with open(os.path.join(OUT, "reference.json"), "w") as fh:
        json.dump({"cases": cases, "params": {"dino-attention": {"fraction": 0.6, "heads": "sum"},
                                              "dino-attention-each": {"fraction": 0.6, "heads": "each"},
                                              "lost": {"k": 100}, "maskdistill": {"topk": 0.4, "heads": 5, "resize": 640}}}, fh, indent=1)


if __name__ == "__main__":
    main()
