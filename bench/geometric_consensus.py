"""Box consensus on simulated workers drawn around real gold boxes (KITTI frame 000001).

Gold: the 7 2D boxes of ../shared/data/pc_kitti_sample/kitti_000001_labels.csv (Truck, Car,
Cyclist and 4 DontCare regions) on KITTI's 1242 x 375 image. Each simulated worker has a skill
factor s ~ U(0.5, 1.5) that scales their noise; per gold box they

* miss it with probability ``miss``;
* otherwise draw it with the centre moved by N(0, offset x s x box size) and each side scaled by
  exp(N(0, scale x s));
* pick a wrong label (uniform among the others) with probability ``confusion``;

and add Poisson(``extra``) spurious boxes of a gold box's size at a random place. For K workers
per image, ``trials`` images, we report, against gold: the soft F1 of IoU (``similarity("boxes")``,
label-matched), the mean IoU of matched boxes and the recall / precision at IoU >= 0.5 with the
right label, for the ``box-iou-consensus`` answer (equal weights, and weights = 1 / skill as a
quality-weighted run would use) beside the average single worker.

    .venv/bin/python bench/geometric_consensus.py [--trials 300] [--seed 0] [--iou-threshold 0.5]

``--kind polygons`` and ``--kind keypoints`` (or ``all``) run the same comparison for
``polygon-pixel-vote`` on the coins of ``skimage.data.coins`` and for ``keypoint-consensus`` on
MediaPipe pose landmarks of ``skimage.data``'s two people and on the coin centres; see
``shape_consensus.py`` for the gold, the workers and the scores.

    .venv/bin/python bench/geometric_consensus.py --kind polygons --trials 100 --workers 3,5
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.boxes import consolidate_boxes, iou_matrix, parse_boxes

WIDTH, HEIGHT = 1242, 375


def gold_boxes(data: Path) -> list[dict[str, Any]]:
    with (data / "pc_kitti_sample" / "kitti_000001_labels.csv").open() as f:
        rows = list(csv.DictReader(f))
    return [{"label": r["type"], "left": float(r["bbox_left"]), "top": float(r["bbox_top"]),
             "width": float(r["bbox_right"]) - float(r["bbox_left"]),
             "height": float(r["bbox_bottom"]) - float(r["bbox_top"])} for r in rows]


def simulate(gold: list[dict[str, Any]], rng: np.random.Generator, skill: float, p: dict[str, float]) -> dict[str, Any]:
    labels = sorted({b["label"] for b in gold})
    out = []
    for b in gold:
        if rng.random() < p["miss"]:
            continue
        w, h = b["width"], b["height"]
        cx = b["left"] + w / 2 + rng.normal(0, p["offset"] * skill * w)
        cy = b["top"] + h / 2 + rng.normal(0, p["offset"] * skill * h)
        w2 = w * float(np.exp(rng.normal(0, p["scale"] * skill)))
        h2 = h * float(np.exp(rng.normal(0, p["scale"] * skill)))
        label = b["label"]
        if rng.random() < p["confusion"]:
            label = str(rng.choice([x for x in labels if x != label]))
        out.append({"label": label, "left": cx - w2 / 2, "top": cy - h2 / 2, "width": w2, "height": h2})
    for _ in range(rng.poisson(p["extra"])):
        like = gold[int(rng.integers(len(gold)))]
        out.append({"label": like["label"], "left": float(rng.uniform(0, WIDTH - like["width"])),
                    "top": float(rng.uniform(0, HEIGHT - like["height"])),
                    "width": like["width"], "height": like["height"]})
    return {"boxes": out}


def scores(answer: dict[str, Any], gold: dict[str, Any]) -> tuple[float, float, float, float]:
    """(soft F1 of IoU, mean IoU of matched, recall@0.5, precision@0.5), labels must agree."""
    a, g = parse_boxes(answer), parse_boxes(gold)
    f1 = similarity("boxes", answer, gold)
    if not a:
        return f1, 0.0, 0.0, 1.0
    iou = iou_matrix(np.array([x[1:] for x in a]), np.array([x[1:] for x in g]))
    iou = np.where(np.array([[x[0] == y[0] for y in g] for x in a]), iou, 0.0)
    rows, cols = linear_sum_assignment(iou, maximize=True)
    hits = iou[rows, cols] >= 0.5
    matched = iou[rows, cols][iou[rows, cols] > 0]
    return f1, float(matched.mean()) if matched.size else 0.0, hits.sum() / len(g), hits.sum() / len(a)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iou-threshold", type=float, default=0.5, help="box-iou-consensus iou_threshold")
    parser.add_argument("--kind", choices=("boxes", "polygons", "keypoints", "all"), default="boxes")
    parser.add_argument("--workers", default="3,5,7", help="workers per item, comma-separated")
    parser.add_argument("--keypoint-radius", type=float, default=None,
                        help="keypoint-consensus radius, a share of the image diagonal (default: its own, 0.05)")
    args = parser.parse_args()
    k_values = [int(k) for k in args.workers.split(",")]
    if args.kind in ("polygons", "keypoints", "all"):
        shape_tables(args.kind, k_values, args.trials, args.seed, args.keypoint_radius)
    if args.kind not in ("boxes", "all"):
        return
    gold = gold_boxes(args.data)
    gold_value = {"boxes": gold}
    order = sorted({b["label"] for b in gold})
    settings = {
        "moderate": {"miss": 0.1, "offset": 0.05, "scale": 0.05, "confusion": 0.1, "extra": 0.3},
        "noisy": {"miss": 0.2, "offset": 0.10, "scale": 0.10, "confusion": 0.2, "extra": 0.6},
    }
    print("| noise | workers | answer | soft F1 (IoU) | mean IoU matched | recall@0.5 | precision@0.5 |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for noise, p in settings.items():
        for k in k_values:
            rng = np.random.default_rng(args.seed)
            single, plain, weighted = [], [], []
            for _ in range(args.trials):
                skill = rng.uniform(0.5, 1.5, k)
                workers = [(f"w{i}", simulate(gold, rng, float(skill[i]), p)) for i in range(k)]
                single.extend(scores(v, gold_value) for _, v in workers)
                plain.append(scores(consolidate_boxes(workers, label_order=order, iou_threshold=args.iou_threshold).value, gold_value))
                quality = {f"w{i}": float(0.5 / skill[i]) for i in range(k)}  # in (1/3, 1]
                weighted.append(scores(consolidate_boxes(workers, label_order=order, weights=quality,
                                                         iou_threshold=args.iou_threshold).value, gold_value))
            for name, rows in (("single worker (mean)", single), ("box-iou-consensus", plain),
                               ("box-iou-consensus, weights 1/skill", weighted)):
                m = np.mean(np.array(rows), axis=0)
                print(f"| {noise} | {k} | {name} | {m[0]:.3f} | {m[1]:.3f} | {m[2]:.3f} | {m[3]:.3f} |")


def shape_tables(kind: str, k_values: list[int], trials: int, seed: int, radius: float | None) -> None:
    from shape_consensus import keypoint_tables, polygon_table

    if kind in ("polygons", "all"):
        print("Polygons: 24 coins of skimage.data.coins (small / large)\n")
        print("| noise | workers | answer | soft F1 (IoU) | mean IoU matched | recall@0.5 | precision@0.5 |")
        print("|---|---:|---|---:|---:|---:|---:|")
        for noise, k, name, m in polygon_table(k_values, trials, seed):
            print(f"| {noise} | {k} | {name} | {m[0]:.3f} | {m[1]:.3f} | {m[2]:.3f} | {m[3]:.3f} |")
        print()
    if kind in ("keypoints", "all"):
        for title, rows in keypoint_tables(k_values, trials, seed, radius).items():
            print(f"Keypoints: {title}\n")
            print("| noise | workers | answer | mean OKS | px error (matched) | recall@OKS 0.5 | precision@OKS 0.5 |")
            print("|---|---:|---|---:|---:|---:|---:|")
            for noise, k, name, m in rows:
                print(f"| {noise} | {k} | {name} | {m[0]:.3f} | {m[1]:.2f} | {m[2]:.3f} | {m[3]:.3f} |")
            print()


if __name__ == "__main__":
    main()
