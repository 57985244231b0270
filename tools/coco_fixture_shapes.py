"""Shapes and RLE/VOC fixtures for tools/gen_coco_eval_fixtures.py (random masks, polygons incl. degenerate ones,
pycocotools encodings). Imported by that script; not run on its own."""
import contextlib
import io

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.cocoeval import COCOeval

def rle_of(mask):
    r = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(x) for x in r["size"]], "counts": r["counts"].decode("ascii")}


def counts_of(rle_string, h, w):
    """Uncompressed counts of a compressed string, by decoding it and re-running it column-major (independent of C)."""
    m = mask_utils.decode({"size": [h, w], "counts": rle_string.encode("ascii")})
    flat = m.flatten(order="F")
    counts, prev, run = [], 0, 0
    for v in flat:
        if v != prev:
            counts.append(run)
            run, prev = 0, v
        run += 1
    counts.append(run)
    return counts


def blob(rng, h, w, max_parts=3):
    yy, xx = np.mgrid[0:h, 0:w]
    m = np.zeros((h, w), bool)
    for _ in range(rng.integers(1, max_parts + 1)):
        cy, cx = rng.uniform(-2, h + 1), rng.uniform(-2, w + 1)
        ry, rx = rng.uniform(1, max(2, h / 3)), rng.uniform(1, max(2, w / 3))
        m |= ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
    if rng.random() < 0.2:
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        m &= ~((yy - cy) ** 2 + (xx - cx) ** 2 <= rng.uniform(1, 4) ** 2)
    if not m.any():
        m[rng.integers(0, h), rng.integers(0, w)] = True
    return m


def perturb(rng, m):
    out = np.roll(m, (int(rng.integers(-2, 3)), int(rng.integers(-2, 3))), axis=(0, 1))
    if rng.random() < 0.5:
        out = out | np.roll(out, 1, axis=int(rng.integers(0, 2)))
    if rng.random() < 0.3:
        out = out & np.roll(out, -1, axis=int(rng.integers(0, 2)))
    return out


def polygon(rng, h, w, kind="star"):
    cx, cy = rng.uniform(-5, w + 5), rng.uniform(-5, h + 5)
    if kind == "star":
        n = int(rng.integers(3, 12))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = rng.uniform(1, max(2, min(h, w) / 2), n)
        pts = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], 1)
        dec = int(rng.integers(0, 3))
        pts = np.round(pts, dec) if dec < 2 else np.round(pts * 2) / 2  # integers, tenths, halves (rounding ties)
    elif kind == "collinear":
        t = np.sort(rng.uniform(0, 1, 4))
        pts = np.stack([cx + t * rng.uniform(-20, 20), cy + t * rng.uniform(-20, 20)], 1)
    elif kind == "repeated":
        p = [cx, cy]
        pts = np.array([p, p, p, [cx + 3.3, cy], [cx + 3.3, cy], [cx, cy + 4.7]])
    elif kind == "point":
        pts = np.array([[cx, cy]] * 3)
    elif kind == "self_intersecting":
        pts = np.array([[cx, cy], [cx + 15, cy + 12], [cx + 15, cy], [cx, cy + 12]])
    elif kind == "outside":
        pts = np.array([[-10.2, -7.5], [w + 8.1, -3.0], [w + 2.0, h + 9.9], [-4.4, h + 1.5]])
    else:
        raise ValueError(kind)
    return [float(v) for v in pts.flatten()]


# ---------------------------------------------------------------- RLE fixtures

def rle_fixtures():
    rng = np.random.default_rng(17)
    out = {"thresholds": {}, "encode": [], "strings": [], "merge": [], "iou": [], "box_iou": [], "polygons": [], "boxes": [],
           "uncompressed": [], "to_bbox": []}
    with contextlib.redirect_stdout(io.StringIO()):
        e = COCOeval(iouType="segm")
    out["thresholds"] = {"iou": [float(x) for x in e.params.iouThrs], "recall": [float(x) for x in e.params.recThrs]}

    # small masks as row-major '0'/'1' strings
    shapes = [(1, 1), (1, 7), (7, 1), (3, 4), (5, 5), (8, 13), (16, 9), (24, 24), (20, 31)]
    masks = []
    for h, w in shapes:
        masks += [np.zeros((h, w), bool), np.ones((h, w), bool)]
        for _ in range(3):
            masks.append(rng.random((h, w)) < rng.uniform(0.1, 0.9))
        if h > 2 and w > 2:
            masks.append(blob(rng, h, w))
    for m in masks:
        h, w = m.shape
        r = rle_of(m)
        out["encode"].append({"h": h, "w": w, "mask": "".join("1" if v else "0" for v in m.flatten()), "string": r["counts"],
                              "counts": counts_of(r["counts"], h, w), "area": int(mask_utils.area(r)),
                              "bbox": [float(v) for v in mask_utils.toBbox(r)]})

    # larger masks: long runs, negative differences, multi-character counts
    for h, w in [(300, 400), (97, 1031), (640, 480)]:
        for _ in range(3):
            m = blob(rng, h, w, max_parts=4)
            r = rle_of(m)
            out["strings"].append({"h": h, "w": w, "string": r["counts"], "counts": counts_of(r["counts"], h, w),
                                   "area": int(mask_utils.area(r)), "bbox": [float(v) for v in mask_utils.toBbox(r)]})

    # merges of 2..4 masks, union and intersection
    for _ in range(25):
        h, w = int(rng.integers(1, 40)), int(rng.integers(1, 40))
        parts = [rle_of(blob(rng, h, w) if h > 2 and w > 2 else rng.random((h, w)) < 0.5) for _ in range(int(rng.integers(2, 5)))]
        enc = [{"size": p["size"], "counts": p["counts"].encode()} for p in parts]
        out["merge"].append({"h": h, "w": w, "inputs": [p["counts"] for p in parts],
                             "union": mask_utils.merge(enc, intersect=0)["counts"].decode(),
                             "intersection": mask_utils.merge(enc, intersect=1)["counts"].decode()})

    # IoU matrices with crowd flags; one dt with another size (-1 where boxes overlap)
    for case in range(12):
        h, w = int(rng.integers(8, 48)), int(rng.integers(8, 48))
        gts = [rle_of(blob(rng, h, w)) for _ in range(int(rng.integers(1, 5)))]
        dts = [rle_of(perturb(rng, mask_utils.decode({"size": [h, w], "counts": g["counts"].encode()}).astype(bool)) if rng.random() < 0.6
                      else blob(rng, h, w)) for g in gts for _ in range(int(rng.integers(1, 3)))]
        if case % 4 == 3:
            dts.append(rle_of(np.ones((h + 1, w), bool)))
        crowd = [int(rng.random() < 0.35) for _ in gts]
        iou = mask_utils.iou([{"size": d["size"], "counts": d["counts"].encode()} for d in dts],
                             [{"size": g["size"], "counts": g["counts"].encode()} for g in gts], crowd)
        out["iou"].append({"dt": dts, "gt": gts, "crowd": crowd, "iou": np.asarray(iou).tolist()})

    # box IoU
    for _ in range(10):
        gb = (rng.uniform(0, 50, (int(rng.integers(1, 5)), 4)) * [1, 1, 0.6, 0.6]).round(1)
        db = np.concatenate([gb + rng.normal(0, 3, gb.shape), rng.uniform(0, 40, (2, 4))]).round(2)
        db[:, 2:] = np.abs(db[:, 2:])
        crowd = [int(rng.random() < 0.35) for _ in gb]
        iou = mask_utils.iou(db.tolist(), gb.tolist(), crowd)
        out["box_iou"].append({"dt": db.tolist(), "gt": gb.tolist(), "crowd": crowd, "iou": np.asarray(iou).tolist()})

    # polygons: random, and the degenerate kinds
    kinds = ["star"] * 40 + ["collinear", "repeated", "point", "self_intersecting", "outside"] * 3
    for kind in kinds:
        h, w = int(rng.integers(5, 60)), int(rng.integers(5, 60))
        poly = polygon(rng, h, w, kind)
        r = mask_utils.frPyObjects([poly], h, w)[0]
        out["polygons"].append({"kind": kind, "h": h, "w": w, "poly": poly, "string": r["counts"].decode()})
    for poly, (h, w) in [([2.0, 2.0, 9.0, 2.0, 9.0], (12, 12)), ([1.5, 1.5, 7.5, 6.5, 3.25, 9.75, 8.0], (10, 11))]:  # odd lengths
        r = mask_utils.frPyObjects([poly], h, w)[0]
        out["polygons"].append({"kind": "odd_length", "h": h, "w": w, "poly": poly, "string": r["counts"].decode()})

    # boxes (rleFrBbox), fractional and partly outside
    for _ in range(20):
        h, w = int(rng.integers(3, 50)), int(rng.integers(3, 50))
        box = [float(v) for v in np.round(rng.uniform([-5, -5, 0, 0], [w, h, w, h]), int(rng.integers(0, 3)))]
        r = mask_utils.frPyObjects(np.array([box], dtype=np.float64), h, w)[0]
        out["boxes"].append({"h": h, "w": w, "box": box, "string": r["counts"].decode()})

    # uncompressed RLEs
    for _ in range(10):
        h, w = int(rng.integers(1, 30)), int(rng.integers(1, 30))
        c = counts_of(rle_of(rng.random((h, w)) < 0.4)["counts"], h, w)
        r = mask_utils.frPyObjects({"size": [h, w], "counts": c}, h, w)
        out["uncompressed"].append({"h": h, "w": w, "counts": c, "string": r["counts"].decode()})

    # toBbox of unusual counts: empty foreground runs, odd lengths, zero first run, full masks
    for h, w, c in [(4, 5, [20]), (4, 5, [0, 20]), (4, 5, [7, 0, 13]), (4, 5, [3, 2, 0, 0, 15]), (4, 5, [3, 6, 11]),
                    (4, 5, [0, 3, 17]), (4, 5, [19, 1]), (3, 3, [2, 1, 2, 1, 3]), (6, 2, [5, 2, 5]), (1, 1, [0, 1])]:
        r = mask_utils.frPyObjects({"size": [h, w], "counts": c}, h, w)
        out["to_bbox"].append({"h": h, "w": w, "counts": c, "bbox": [float(v) for v in mask_utils.toBbox(r)],
                               "area": int(mask_utils.area(r)), "string": r["counts"].decode()})
    return out


# ---------------------------------------------------------------- VOC object/class maps

def voc_fixture():
    rng = np.random.default_rng(5)
    images = []
    for stem, (h, w) in [("2007_000032", (23, 31)), ("2007_000039", (17, 12)), ("2008_000002", (9, 14))]:
        obj = np.zeros((h, w), np.int64)
        cls = np.zeros((h, w), np.int64)
        for oid in range(1, int(rng.integers(2, 5))):
            m = blob(rng, h, w)
            obj[m] = oid
            c = int(rng.integers(1, 21))
            cls[m] = c
        # boundaries: 255 in both maps around objects; a few class pixels that disagree with the object's class
        edge = (obj != np.roll(obj, 1, 0)) | (obj != np.roll(obj, 1, 1))
        obj[edge] = 255
        cls[edge] = 255
        noise = (rng.random((h, w)) < 0.1) & (obj > 0) & (obj < 255)
        cls[noise] = rng.integers(0, 21, noise.sum())
        images.append((stem, obj, cls))
    # a tie (two classes with equal votes: the lower wins), and an object with no class pixel (skipped)
    obj = np.zeros((6, 8), np.int64)
    cls = np.zeros((6, 8), np.int64)
    obj[1:3, 1:5] = 3
    cls[1:3, 1:3] = 12
    cls[1:3, 3:5] = 7
    obj[4:6, 5:8] = 9
    cls[4:6, 5:8] = 0
    images.append(("tie_and_unlabelled", obj, cls))
    out = []
    for stem, obj, cls in images:
        h, w = obj.shape
        anns = []
        for oid in np.unique(obj):
            if oid in (0, 255):
                continue
            m = obj == oid
            votes = np.bincount(cls[m], minlength=256)[1:21]
            if votes.sum() == 0:
                continue
            r = rle_of(m)
            anns.append({"object": int(oid), "category_id": int(np.argmax(votes)) + 1, "counts": r["counts"],
                         "area": int(mask_utils.area(r)), "bbox": [float(v) for v in mask_utils.toBbox(r)]})
        out.append({"stem": stem, "h": h, "w": w, "object": obj.flatten().tolist(), "class": cls.flatten().tolist(), "annotations": anns})
    return out
