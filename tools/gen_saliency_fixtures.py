#!/usr/bin/python3
"""Reference outputs of MaskContrast's saliency post-processing (docs/methods.md §2.2), computed with OpenCV exactly as
the official saliency/README.md describes it: threshold at 0.5, every contour of cv2.findContours(RETR_TREE,
CHAIN_APPROX_SIMPLE) drawn filled on its own, the pixels of a filled contour under 1% of the image set to 0, the image
dropped when under 1% remains. Needs Debian's python3-opencv and python3-pil.
Writes plugins/prior-saliency/src/test/resources/saliency-post/: <case>.png (the 8-bit saliency map, value/255 is the
saliency), <case>.expected.png (0/255 mask) or no expected file when the image is dropped, and cases.json.
Run: /usr/bin/python3 tools/gen_saliency_fixtures.py
"""
import json
import os

import cv2
import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "plugins", "prior-saliency", "src", "test", "resources", "saliency-post")


def official(saliency):
    mask = (saliency > 0.5).astype(np.uint8)
    contours, _ = cv2.findContours(mask.copy(), cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    out = mask.copy()
    for c in contours:
        filled = cv2.drawContours(np.zeros_like(mask), [c], 0, 255, thickness=cv2.FILLED)
        if (filled.sum() / 255.0) / filled.size < 0.01:
            out[filled == 255] = 0
    return None if out.sum() / out.size < 0.01 else out


def scene(rng, w, h):
    """Soft blobs with holes of several sizes, islands in holes, thin and diagonal parts, and specks."""
    s = np.zeros((h, w), np.float32)
    for _ in range(rng.integers(1, 4)):
        cx, cy = int(rng.integers(w // 5, 4 * w // 5)), int(rng.integers(h // 5, 4 * h // 5))
        ax, ay = int(rng.integers(w // 10, w // 3)), int(rng.integers(h // 10, h // 3))
        cv2.ellipse(s, (cx, cy), (ax, ay), float(rng.uniform(0, 180)), 0, 360, float(rng.uniform(0.6, 1.0)), -1)
        for _ in range(rng.integers(0, 4)):  # holes, some with an island
            r = int(rng.integers(1, max(2, min(ax, ay) // 2)))
            hx, hy = cx + int(rng.integers(-ax // 2, ax // 2 + 1)), cy + int(rng.integers(-ay // 2, ay // 2 + 1))
            cv2.circle(s, (hx, hy), r, 0.1, -1)
            if r > 4 and rng.random() < 0.5:
                cv2.circle(s, (hx, hy), int(rng.integers(1, r // 2)), 0.9, -1)
        if rng.random() < 0.5:
            pts = rng.integers(0, min(w, h), (3, 2)).astype(np.int32)
            cv2.polylines(s, [pts], True, 0.8, int(rng.integers(1, 3)))
    for _ in range(rng.integers(0, 12)):  # specks
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        s[y:y + int(rng.integers(1, 4)), x:x + int(rng.integers(1, 4))] = 0.9
    return np.clip(s + rng.normal(0, 0.04, s.shape).astype(np.float32), 0, 1)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    cases = []
    for i in range(26):
        w, h = int(rng.integers(40, 160)), int(rng.integers(40, 160))
        if i < 24:
            s8 = np.round(scene(rng, w, h) * 255).astype(np.uint8)
        else:  # only specks: every contour is under 1%, the image is dropped
            s8 = np.zeros((h, w), np.uint8)
            for _ in range(20):
                x, y = int(rng.integers(0, w - 2)), int(rng.integers(0, h - 2))
                s8[y:y + 2, x:x + 2] = 230
        name = f"case{i:02d}"
        Image.fromarray(s8, mode="L").save(os.path.join(OUT, name + ".png"))
        ref = official(s8.astype(np.float32) / 255.0)
        if ref is not None:
            Image.fromarray(ref * 255, mode="L").save(os.path.join(OUT, name + ".expected.png"))
        cases.append({"name": name, "width": w, "height": h, "dropped": ref is None, "area": 0 if ref is None else int(ref.sum())})
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"opencv": cv2.__version__, "cases": cases}, f, indent=1)
    print(sum(c["dropped"] for c in cases), "dropped of", len(cases))


if __name__ == "__main__":
    main()
