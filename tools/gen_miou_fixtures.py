#!/usr/bin/python3
"""Label-map fixtures and scipy reference results for `maskseg eval miou` (docs/methods.md §1.5, docs/design.md §4).

Run once with Debian's python3-scipy: /usr/bin/python3 tools/gen_miou_fixtures.py. Writes
pipeline/src/test/resources/miou/<case>/{pred,gt}/*.png and expected.json; MiouReferenceTest compares to 1e-9.
Cases: 'perm' (21 classes, a permuted noisy prediction, 8-bit gray), 'over' (5 classes, 12 clusters, palette PNGs
for the ground truth), 'ident' (6 classes, prediction in class ids). Every case is scored with all four matchings.
"""
import json
import os

import numpy as np
from PIL import Image
from scipy.optimize import linear_sum_assignment

MATCHINGS = ("hungarian", "majority", "majority-count", "none")
OUT = os.path.join(os.path.dirname(__file__), "..", "pipeline", "src", "test", "resources", "miou")


def score(preds, gts, k, matching, ignore=255):
    kp = max(k, max(int(p.max()) for p in preds) + 1)
    conf = np.zeros((kp, k), np.int64)
    for p, g in zip(preds, gts):
        v = g != ignore
        np.add.at(conf, (p[v].astype(np.int64), g[v].astype(np.int64)), 1)
    n_p, n_g = conf.sum(1), conf.sum(0)
    union = n_p[:, None] + n_g[None, :] - conf
    iou_m = np.where(union > 0, conf / np.maximum(union, 1), 0.0)
    if matching == "hungarian":
        rows, cols = linear_sum_assignment(-iou_m)
        mapping = {int(r): int(c) for r, c in zip(rows, cols)}
    elif matching == "majority":
        mapping = {p: int(np.argmax(iou_m[p])) for p in range(kp)}
    elif matching == "majority-count":  # MaskDistill cluster.py's count vote; argmax: ties to the lower class
        mapping = {p: int(np.argmax(conf[p])) for p in range(kp)}
    else:
        mapping = {p: p for p in range(min(kp, k))}
    tp, fp, fn = np.zeros(k), np.zeros(k), np.zeros(k)
    for p in range(kp):
        for g in range(k):
            n = conf[p, g]
            if p in mapping and mapping[p] == g:
                tp[g] += n
            else:
                fn[g] += n
                if p in mapping:
                    fp[mapping[p]] += n
    iou = tp / np.maximum(tp + fp + fn, 1e-8)
    return {"miou": float(iou.mean()), "pixel_accuracy": float(tp.sum() / conf.sum()), "per_class_iou": iou.tolist(),
            "matching": {str(p): g for p, g in sorted(mapping.items())}}


def save(path, arr, palette=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    im = Image.fromarray(arr.astype(np.uint8), mode="P" if palette else "L")
    if palette:
        im.putpalette([v for i in range(256) for v in ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256)])
    im.save(path)


def blobs(rng, h, w, k):
    """Piecewise-constant label maps: random rectangles of classes over a background class."""
    g = np.zeros((h, w), np.int64)
    for _ in range(rng.integers(3, 8)):
        y, x = rng.integers(0, h - 4), rng.integers(0, w - 4)
        g[y:y + rng.integers(4, h // 2), x:x + rng.integers(4, w // 2)] = rng.integers(0, k)
    return g


def main():
    rng = np.random.default_rng(11)
    cases = {"perm": (21, 21, False), "over": (5, 12, True), "ident": (6, 6, False)}
    expected = {}
    for name, (k, clusters, palette) in cases.items():
        preds, gts = [], []
        perm = rng.permutation(clusters)
        for i in range(5):
            h, w = rng.integers(20, 40), rng.integers(20, 40)
            g = blobs(rng, h, w, k)
            g[rng.random((h, w)) < 0.05] = 255
            if name == "over":
                p = (g % k) * 2 + rng.integers(0, 2, (h, w))
                p = np.minimum(p, clusters - 1)
            elif name == "perm":
                p = perm[np.where(g == 255, 0, g)]
            else:
                p = np.where(g == 255, 0, g)
            noise = rng.random((h, w)) < 0.15
            p = np.where(noise, rng.integers(0, clusters, (h, w)), p)
            save(os.path.join(OUT, name, "pred", f"im{i}.png"), p)
            save(os.path.join(OUT, name, "gt", f"im{i}.png"), g, palette)
            preds.append(p)
            gts.append(g)
        expected[name] = {"num_classes": k, **{m: score(preds, gts, k, m) for m in MATCHINGS}}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    for n, e in expected.items():
        print(n, {m: round(e[m]["miou"], 4) for m in MATCHINGS})


if __name__ == "__main__":
    main()
