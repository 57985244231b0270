#!/usr/bin/python3
"""Generates images with known regions and scikit-image's SLIC / Felzenszwalb scores on them.

Run once with Debian's python3-skimage (/usr/bin/python3 tools/gen_superpixel_fixtures.py); the outputs are
committed under plugins/prior-superpixels/src/test/resources/superpixels and SuperpixelReferenceTest scores our
implementations with the same metrics (boundary recall at 2 px, Neubert-Protzel under-segmentation error).
"""
import json
import os

import numpy as np
from PIL import Image
from skimage.segmentation import felzenszwalb, slic

OUT = os.path.join(os.path.dirname(__file__), "..", "plugins", "prior-superpixels", "src", "test", "resources", "superpixels")
W, H, N = 160, 120, 6
PARAMS = {"slic": {"segments": 100, "compactness": 10, "iterations": 10},
          "felzenszwalb": {"scale": 100, "sigma": 0.8, "min_size": 20}}


def make(rng):
    """Background plus 4-7 ellipses/rectangles, each a region with its own colour and mild noise."""
    label = np.zeros((H, W), np.int32)
    yy, xx = np.mgrid[:H, :W]
    for r in range(1, rng.integers(5, 8)):
        cx, cy = rng.uniform(0, W), rng.uniform(0, H)
        a, b = rng.uniform(12, 45), rng.uniform(10, 35)
        if rng.random() < 0.5:
            inside = ((xx - cx) / a) ** 2 + ((yy - cy) / b) ** 2 <= 1
        else:
            inside = (abs(xx - cx) <= a) & (abs(yy - cy) <= b)
        label[inside] = r
    colours = rng.uniform(20, 235, (label.max() + 1, 3))
    img = colours[label] + rng.normal(0, 8, (H, W, 3))
    return np.clip(np.round(img), 0, 255).astype(np.uint8), label


def boundaries(lab):
    b = np.zeros(lab.shape, bool)
    b[:, :-1] |= lab[:, :-1] != lab[:, 1:]
    b[:, 1:] |= lab[:, :-1] != lab[:, 1:]
    b[:-1, :] |= lab[:-1, :] != lab[1:, :]
    b[1:, :] |= lab[:-1, :] != lab[1:, :]
    return b


def boundary_recall(sp, gt, tol=2):
    gb, sb = boundaries(gt), boundaries(sp)
    near = np.zeros_like(sb)
    for dy in range(-tol, tol + 1):
        for dx in range(-tol, tol + 1):
            shifted = np.zeros_like(sb)
            ys, yd = (slice(dy, None), slice(None, -dy or None)) if dy >= 0 else (slice(None, dy), slice(-dy, None))
            xs, xd = (slice(dx, None), slice(None, -dx or None)) if dx >= 0 else (slice(None, dx), slice(-dx, None))
            shifted[yd, xd] = sb[ys, xs]
            near |= shifted
    return float((gb & near).sum() / gb.sum())


def undersegmentation(sp, gt):
    total = 0
    for g in np.unique(gt):
        inside = gt == g
        for s in np.unique(sp[inside]):
            region = sp == s
            overlap = (region & inside).sum()
            total += min(overlap, region.sum() - overlap)
    return float(total / gt.size)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    ref = {"params": PARAMS, "images": []}
    for i in range(N):
        img, gt = make(rng)
        Image.fromarray(img).save(os.path.join(OUT, f"img{i}.png"))
        Image.fromarray(gt.astype(np.uint8)).save(os.path.join(OUT, f"img{i}_gt.png"))
        s = PARAMS["slic"]
        sl = slic(img, n_segments=s["segments"], compactness=s["compactness"], max_num_iter=s["iterations"], start_label=0)
        f = PARAMS["felzenszwalb"]
        fz = felzenszwalb(img, scale=f["scale"], sigma=f["sigma"], min_size=f["min_size"])
        ref["images"].append({"name": f"img{i}",
                              "slic": {"br": boundary_recall(sl, gt), "ue": undersegmentation(sl, gt), "regions": int(sl.max() + 1)},
                              "felzenszwalb": {"br": boundary_recall(fz, gt), "ue": undersegmentation(fz, gt), "regions": int(fz.max() + 1)}})
    with open(os.path.join(OUT, "reference.json"), "w") as fh:
        json.dump(ref, fh, indent=1)
    for algo in PARAMS:
        print(algo, "BR", np.mean([r[algo]["br"] for r in ref["images"]]), "UE", np.mean([r[algo]["ue"] for r in ref["images"]]),
              "regions", np.mean([r[algo]["regions"] for r in ref["images"]]))


if __name__ == "__main__":
    main()
