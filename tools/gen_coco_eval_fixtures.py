#!/work/venv/bin/python
"""COCO RLE / polygon / COCOeval fixtures from pycocotools, for dev.maskseg.pipeline.instances (issue 17 item 5).

Run: /work/venv/bin/python tools/gen_coco_eval_fixtures.py   (numpy + pycocotools 2.0.11; deterministic seeds)
Writes pipeline/src/test/resources/instances/:
  rle.json          encode/decode strings, areas, boxes, merges, IoUs (crowd rule, size mismatch), polygons (incl.
                    degenerate ones) and boxes rasterised by rleFrPoly/rleFrBbox, uncompressed RLEs, thresholds
  voc.json          object/class label maps and the annotations convert_voc.py's rule gives (RLE, area, bbox, class)
  eval/<case>.json  ground truth, results, and the 12 COCOeval stats for segm and bbox, each plain,
                    class-agnostic, single-object (MaskDistill eval_instances.py --eval_most_confident) and both
The single-object selection is MaskDistill's code with its torch iou_box written in numpy float32, plus the rules the
Java side documents where that code fails (no box: the mask's box; no ground truth on the image: no instance).
"""
import contextlib
import copy
import io
import json
import os
import sys

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coco_fixture_shapes import blob, counts_of, perturb, polygon, rle_fixtures, rle_of, voc_fixture  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pipeline", "src", "test", "resources", "instances")
AGNOSTIC = 1


def stats_of(gt, res_anns, iou_type, raw_res=False):
    """COCOeval stats with loadRes (or, raw_res, a results COCO built as eval_instances.py does)."""
    with contextlib.redirect_stdout(io.StringIO()):
        cg = COCO()
        cg.dataset = copy.deepcopy(gt)
        cg.createIndex()
        if raw_res:
            cd = COCO()
            cd.dataset = {"images": copy.deepcopy(gt["images"]), "categories": copy.deepcopy(gt["categories"]),
                          "annotations": copy.deepcopy(res_anns)}
            cd.createIndex()
        elif len(res_anns) == 0:  # loadRes fails on []; this is what it would build
            cd = COCO()
            cd.dataset = {"images": copy.deepcopy(gt["images"]), "categories": copy.deepcopy(gt["categories"]), "annotations": []}
            cd.createIndex()
        else:
            cd = cg.loadRes(copy.deepcopy(res_anns))
        e = COCOeval(cg, cd, iou_type)
        e.evaluate()
        e.accumulate()
        e.summarize()
    return [float(x) for x in e.stats]


def agnostic(gt, res):
    gt = copy.deepcopy(gt)
    for a in gt["annotations"]:
        a["category_id"] = AGNOSTIC
    gt["categories"] = [{"id": AGNOSTIC, "name": "object", "supercategory": ""}]
    res = copy.deepcopy(res)
    for r in res:
        r["category_id"] = AGNOSTIC
    return gt, res


def iou_box_f32(b1, b2):
    """MaskDistill utils/util.py iou_box in float32, term by term as torch computes it."""
    f = np.float32
    eps = f(1e-8)
    b1 = np.asarray(b1, dtype=np.float32)
    b2 = np.asarray(b2, dtype=np.float32).T
    iw = np.maximum(np.minimum(b1[2], b2[2]) - np.maximum(b1[0], b2[0]), f(0))
    ih = np.maximum(np.minimum(b1[3], b2[3]) - np.maximum(b1[1], b2[1]), f(0))
    inter = (iw * ih).astype(np.float32)
    w1, h1 = f(b1[2] - b1[0]), f(f(b1[3] - b1[1]) + eps)
    w2, h2 = (b2[2] - b2[0]).astype(np.float32), ((b2[3] - b2[1]).astype(np.float32) + eps).astype(np.float32)
    union = (((f(w1 * h1) + (w2 * h2).astype(np.float32)).astype(np.float32) - inter).astype(np.float32) + eps).astype(np.float32)
    return (inter / union).astype(np.float32)


def single_object(gt, res):
    """eval_instances.py --eval_most_confident: the selected predictions (COCO annotations) and ground truth."""
    preds = copy.deepcopy(res)
    memo = {}
    for i, p in enumerate(preds):
        if "bbox" not in p:  # the Java rule where the official code fails: the mask's box
            img = next(im for im in gt["images"] if im["id"] == p["image_id"])
            seg = p["segmentation"]
            rle = mask_utils.merge(mask_utils.frPyObjects(seg, img["height"], img["width"])) if isinstance(seg, list) else seg
            p["bbox"] = [float(v) for v in mask_utils.toBbox(rle)]
        p["id"] = i
        p["area"] = int(p["bbox"][2] * p["bbox"][3])
        if p["image_id"] not in memo or memo[p["image_id"]]["score"] < p["score"]:
            memo[p["image_id"]] = p
    sel = list(memo.values())
    by_img = {}
    for a in gt["annotations"]:
        by_img.setdefault(a["image_id"], []).append(a)
    chosen = []
    for p in sel:
        anns = by_img.get(p["image_id"], [])
        if not anns:  # the Java rule where the official code asserts: no instance for this image
            continue
        b = p["bbox"]
        boxes = [[int(round(x)) for x in [a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]]] for a in anns]
        ious = iou_box_f32([b[0], b[1], b[0] + b[2], b[1] + b[3]], boxes)
        chosen.append(anns[int(np.argmax(ious))])
    gt_sel = {"images": gt["images"], "annotations": copy.deepcopy(chosen), "categories": gt["categories"]}
    return gt_sel, sel


def single_stats(gt, res, iou_type):
    """None where eval_instances.py fails: segm evaluation of predictions without a segmentation."""
    gs, ps = single_object(gt, res)
    if iou_type == "segm" and any("segmentation" not in p for p in ps):
        return None
    return stats_of(gs, ps, iou_type, raw_res=True)


def all_stats(gt, res, iou_types=("segm", "bbox")):
    out = {}
    for t in iou_types:
        ga, ra = agnostic(gt, res)
        v = {"plain": stats_of(gt, res, t), "agnostic": stats_of(ga, ra, t)}
        v["single"] = single_stats(gt, res, t)
        v["single_agnostic"] = single_stats(ga, ra, t)
        out[t] = v
    return out


# ---------------------------------------------------------------- evaluation cases

def make_case(seed, n_images=6, n_cats=3, size=(40, 96), gt_kind="rle", crowd_rate=0.0, det_bbox=True, score_decimals=2,
              extra_fp=2, string_ids=False, empty_images=0, many_dets=0, random_areas=False, det_kind="rle", bbox_only=False):
    rng = np.random.default_rng(seed)
    cats = [{"id": c, "name": "c%d" % c, "supercategory": ""} for c in (1, 2, 5)[:n_cats]]
    images, anns, res = [], [], []
    ann_id = 1
    for i in range(n_images + empty_images):
        h, w = int(rng.integers(*size)), int(rng.integers(*size))
        img_id = ("img_%03d" % (997 - 7 * i)) if string_ids else int(1000 - 13 * i)
        images.append({"id": img_id, "width": w, "height": h, "file_name": "%s.jpg" % img_id})
        if i >= n_images:  # no ground truth; some detections anyway
            for _ in range(int(rng.integers(0, 3))):
                res.append(detection(rng, img_id, blob(rng, h, w), int(rng.choice([c["id"] for c in cats])), score_decimals, det_bbox, det_kind, bbox_only))
            continue
        for _ in range(int(rng.integers(1, 6))):
            m = blob(rng, h, w)
            cat = int(rng.choice([c["id"] for c in cats]))
            crowd = int(rng.random() < crowd_rate)
            a = {"id": ann_id, "image_id": img_id, "category_id": cat, "iscrowd": crowd}
            ann_id += 1
            if crowd:
                a["segmentation"] = {"size": [h, w], "counts": counts_of(rle_of(m)["counts"], h, w)}
                r = rle_of(m)
            elif gt_kind == "polygon":
                polys = [polygon(rng, h, w, "star")]
                if rng.random() < 0.4:
                    polys.append(polygon(rng, h, w, str(rng.choice(["star", "collinear", "repeated", "point", "self_intersecting"]))))
                a["segmentation"] = polys
                r = mask_utils.merge(mask_utils.frPyObjects(polys, h, w))
                m = mask_utils.decode(r).astype(bool)
            else:
                r = rle_of(m)
                a["segmentation"] = r
            area = float(mask_utils.area({"size": [h, w], "counts": r["counts"]} if isinstance(r["counts"], bytes) else {"size": [h, w], "counts": r["counts"].encode()}))
            a["area"] = float(np.round(rng.uniform(0, 15000), 2)) if random_areas and rng.random() < 0.6 else area
            bb = mask_utils.toBbox(rle_of(m))
            a["bbox"] = [float(v) for v in bb]
            anns.append(a)
            for _ in range(int(rng.integers(0, 4))):
                cat_d = cat if rng.random() < 0.85 else int(rng.choice([c["id"] for c in cats]))
                res.append(detection(rng, img_id, perturb(rng, m), cat_d, score_decimals, det_bbox, det_kind, bbox_only))
        for _ in range(int(rng.integers(0, extra_fp + 1))):
            res.append(detection(rng, img_id, blob(rng, h, w), int(rng.choice([c["id"] for c in cats])), score_decimals, det_bbox, det_kind, bbox_only))
    for j in range(many_dets):  # one image gets many small detections
        img = images[j % 2]
        for _ in range(130 if j % 2 == 0 else 105):
            h, w = img["height"], img["width"]
            m = np.zeros((h, w), bool)
            y, x = int(rng.integers(0, h - 3)), int(rng.integers(0, w - 3))
            m[y:y + int(rng.integers(1, 4)), x:x + int(rng.integers(1, 4))] = True
            res.append(detection(rng, img["id"], m, int(rng.choice([c["id"] for c in cats])), 1, det_bbox, det_kind, bbox_only))
    order = rng.permutation(len(res))  # results in no particular order, as a detector's file may be
    return {"images": images, "annotations": anns, "categories": cats}, [res[k] for k in order]


def detection(rng, img_id, m, cat, score_decimals, with_bbox, kind, bbox_only):
    h, w = m.shape
    d = {"image_id": img_id, "category_id": cat, "score": float(np.round(rng.uniform(0.01, 1), score_decimals))}
    r = rle_of(m)
    bb = [float(v) for v in mask_utils.toBbox({"size": r["size"], "counts": r["counts"].encode()})]
    if not bbox_only:
        if kind == "polygon":
            ys, xs = np.nonzero(m)
            x0, y0, x1, y1 = xs.min() - 0.5, ys.min() - 0.5, xs.max() + 0.5, ys.max() + 0.5
            d["segmentation"] = [[float(x0), float(y0), float((x0 + x1) / 2), float(y1), float(x1), float(y0 + 1.25)]]
        else:
            d["segmentation"] = r
    if with_bbox or bbox_only:
        d["bbox"] = [float(np.round(v + rng.normal(0, 0.7), 2)) for v in bb[:2]] + [float(np.round(abs(v + rng.normal(0, 0.7)), 2)) for v in bb[2:]]
    return d


def cases():
    out = {}
    out["rle_bbox_branch"] = make_case(1)
    out["rle_segm_branch"] = make_case(2, det_bbox=False)
    out["polygons"] = make_case(3, gt_kind="polygon", size=(30, 70))
    out["crowds"] = make_case(4, crowd_rate=0.3)
    out["empty_images"] = make_case(5, n_images=3, empty_images=4)
    out["many_detections"] = make_case(6, n_images=3, many_dets=2, extra_fp=0)
    out["tied_scores"] = make_case(7, score_decimals=1, extra_fp=4)
    out["string_ids"] = make_case(8, string_ids=True)
    out["bbox_only_results"] = make_case(9, bbox_only=True)
    out["polygon_results"] = make_case(10, det_kind="polygon")
    out["area_ranges"] = make_case(11, size=(60, 130), random_areas=True, n_images=5)
    out["single_category"] = make_case(12, n_cats=1)

    gt, res = make_case(13, n_images=4)
    gt["annotations"][0]["id"] = 0                      # an id 0: a match to it reads as no match
    gt["annotations"][1]["ignore"] = 1                  # overwritten by pycocotools: no effect
    gt["annotations"][2]["category_id"] = 7             # category not in the list: not evaluated
    gt["annotations"].append(dict(gt["annotations"][3], id=9999, image_id=123456))  # image not in the list
    gt["categories"].append({"id": 9, "name": "c9", "supercategory": ""})  # a category without ground truth
    for r in res[:4]:
        r["category_id"] = 9
    res[4]["category_id"] = 11                          # a category the ground truth does not list
    out["quirks"] = (gt, res)

    gt, res = make_case(14, n_images=3)
    img = gt["images"][0]
    m = np.zeros((img["height"] + 2, img["width"]), bool)
    m[:, :] = True
    res.append({"image_id": img["id"], "category_id": gt["annotations"][0]["category_id"], "score": 0.77,
                "segmentation": rle_of(m), "bbox": [0.0, 0.0, float(img["width"]), float(img["height"])]})
    out["size_mismatch"] = (gt, res)

    gt, _ = make_case(15, n_images=3)
    out["empty_results"] = (gt, [])

    # everything at once, three seeds: polygon ground truth with crowds, tied scores, empty images, > 100 detections
    for seed in (21, 22, 23):
        gt, res = make_case(seed, n_images=4, gt_kind="polygon", crowd_rate=0.25, score_decimals=1, empty_images=2,
                            many_dets=1 if seed == 21 else 0, det_bbox=seed != 22, string_ids=seed == 23, size=(24, 60))
        if seed == 21:  # uncompressed RLE predictions (read when the first result carries a box)
            for r in res[:5]:
                if "segmentation" in r:
                    seg = r["segmentation"]
                    r["segmentation"] = {"size": seg["size"], "counts": counts_of(seg["counts"], *seg["size"])}
        out["mixed_%d" % seed] = (gt, res)
    return out


def main():
    os.makedirs(os.path.join(OUT, "eval"), exist_ok=True)
    with open(os.path.join(OUT, "rle.json"), "w") as f:
        json.dump(rle_fixtures(), f, separators=(",", ":"))
    with open(os.path.join(OUT, "voc.json"), "w") as f:
        json.dump(voc_fixture(), f, separators=(",", ":"))
    names = []
    for name, (gt, res) in cases().items():
        iou_types = ("segm", "bbox")
        expected = all_stats(gt, res, iou_types)
        with open(os.path.join(OUT, "eval", name + ".json"), "w") as f:
            json.dump({"gt": gt, "results": res, "expected": expected}, f, separators=(",", ":"))
        names.append(name)
        print(name, "segm AP %.4f AP50 %.4f" % tuple(expected["segm"]["plain"][:2]), "| bbox AP %.4f" % expected["bbox"]["plain"][0],
              "| single AP50 %s" % (expected["segm"]["single"] or [None, "n/a"])[1], "| n_res", len(res))
    with open(os.path.join(OUT, "eval", "cases.txt"), "w") as f:
        f.write("\n".join(names) + "\n")


if __name__ == "__main__":
    main()
