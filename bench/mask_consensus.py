"""Mask consensus on simulated workers painting around real gold masks.

Gold (all shipped with scikit-image or in ../shared/data, nothing downloaded):

* ``coins`` (semantic, 303 x 384): the 24 coins of ``skimage.data.coins()`` segmented as in
  ``shape_consensus.py``, class ``small`` / ``large`` by area;
* ``horse`` (semantic, 328 x 400): the silhouette of ``skimage.data.horse()``, one class;
* ``kitti`` (semantic, 1242 x 375): the 7 2D boxes of KITTI frame 000001 rasterised, classes
  Truck, Car, Cyclist, DontCare (small objects: 12 to 87 px wide);
* ``coin instances`` (instance): the same 24 coins, one instance each.

Each simulated worker has a skill s ~ U(0.5, 1.5) scaling their noise. Per gold region they miss it
with probability ``miss``; otherwise they paint it moved by N(0, offset x s x sqrt(area)) pixels,
its outline wobbled by a smooth random field (amplitude ``boundary`` x s px, the hand's jitter)
and grown or shrunk by N(0, ``grow`` x s) px (a brush too big or too small), with the wrong class
(uniform among the others) with probability ``confusion``; plus Poisson(``extra``) spurious discs of
a median region's size. Answers go through the real path: encoded as Ground Truth PNG answers and
consolidated by ``segmentation-pixel-vote`` / ``instance-mask-consensus`` (equal weights, and
weights = 0.5 / skill as a quality-weighted run would use).

Scores against gold: semantic - mean IoU over the classes in either map
(``similarity("semantic-segmentation")``) and pixel accuracy; instance - soft F1 of mask IoU
(``similarity("instance-segmentation")``), mean IoU of matched instances, recall and precision at
IoU >= 0.5 with the right label.

    .venv/bin/python bench/mask_consensus.py [--trials 100] [--workers 3,5] [--seed 0]
    .venv/bin/python bench/mask_consensus.py --speed     # 5 answers on a 4000 x 3000 image
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage as ndi
from scipy.optimize import linear_sum_assignment

from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.label_maps import PALETTE
from labelworks.core.consolidation.structured.segmentation import (
    consolidate_instances,
    consolidate_semantic,
    crop_mask,
    instance_masks,
    instance_value,
    semantic_value,
)

SETTINGS = {
    "moderate": {"miss": 0.05, "offset": 0.02, "boundary": 1.5, "grow": 1.0, "confusion": 0.05, "extra": 0.2},
    "noisy": {"miss": 0.15, "offset": 0.05, "boundary": 3.0, "grow": 2.5, "confusion": 0.15, "extra": 0.5},
}
Region = tuple[str, np.ndarray]  # (class, full-image bool mask)


# ---------------------------------------------------------------- gold


def coin_gold() -> tuple[list[Region], tuple[int, int]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from shape_consensus import coin_regions

    labelled, coins = coin_regions()
    from skimage import measure

    regions = [r for r in measure.regionprops(labelled) if r.area >= 100]
    median = float(np.median([r.area for r in regions]))
    return [("large" if r.area > median else "small", labelled == r.label) for r in regions], labelled.shape


def horse_gold() -> tuple[list[Region], tuple[int, int]]:
    from skimage import data

    horse = ~data.horse()  # the silhouette is dark
    return [("horse", horse)], horse.shape


def kitti_gold(data_dir: Path) -> tuple[list[Region], tuple[int, int]]:
    shape = (375, 1242)
    out = []
    with (data_dir / "pc_kitti_sample" / "kitti_000001_labels.csv").open() as f:
        for r in csv.DictReader(f):
            m = np.zeros(shape, dtype=bool)
            x0, y0 = int(round(float(r["bbox_left"]))), int(round(float(r["bbox_top"])))
            x1, y1 = int(round(float(r["bbox_right"]))), int(round(float(r["bbox_bottom"])))
            m[y0:y1, x0:x1] = True
            out.append((r["type"], m))
    return out, shape


# ---------------------------------------------------------------- workers


def simulate(gold: Sequence[Region], shape: tuple[int, int], classes: Sequence[str], rng: np.random.Generator,
             skill: float, p: dict[str, float]) -> list[Region]:
    """One worker's regions, in paint order."""
    field = ndi.gaussian_filter(rng.normal(size=shape), sigma=6.0)
    field *= p["boundary"] * skill / (field.std() or 1.0)
    out: list[Region] = []
    areas = [int(m.sum()) for _, m in gold]
    for (label, mask), area in zip(gold, areas, strict=True):
        if rng.random() < p["miss"]:
            continue
        dy, dx = (int(round(v)) for v in rng.normal(0, p["offset"] * skill * np.sqrt(area), 2))
        grow = rng.normal(0, p["grow"] * skill)
        crop = crop_mask(mask)
        y0, x0, y1, x1 = crop.box()
        pad = int(p["boundary"] * 3 + p["grow"] * 3 + 4)
        ya, xa = max(0, y0 - pad + min(dy, 0)), max(0, x0 - pad + min(dx, 0))
        yb, xb = min(shape[0], y1 + pad + max(dy, 0)), min(shape[1], x1 + pad + max(dx, 0))
        moved = np.zeros(shape, dtype=bool)
        src = mask[max(0, -dy):shape[0] - max(0, dy), max(0, -dx):shape[1] - max(0, dx)]
        moved[max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
        win = moved[ya:yb, xa:xb]
        signed = ndi.distance_transform_edt(~win) - ndi.distance_transform_edt(win)  # > 0 outside
        painted = np.zeros(shape, dtype=bool)
        painted[ya:yb, xa:xb] = signed < field[ya:yb, xa:xb] + grow
        if rng.random() < p["confusion"] and len(classes) > 1:
            label = str(rng.choice([c for c in classes if c != label]))
        if painted.any():
            out.append((label, painted))
    radius = np.sqrt(np.median(areas) / np.pi)
    yy, xx = np.ogrid[:shape[0], :shape[1]]
    for _ in range(rng.poisson(p["extra"])):
        cy, cx = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
        out.append((str(rng.choice(list(classes))), (yy - cy) ** 2 + (xx - cx) ** 2 <= radius ** 2))
    return out


def semantic_answer(regions: Sequence[Region], shape: tuple[int, int], classes: Sequence[str]) -> dict[str, Any]:
    ids = np.zeros(shape, dtype=np.int64)
    for label, mask in regions:
        ids[mask] = classes.index(label) + 1
    return semantic_value(ids, classes, dict(zip(classes, PALETTE, strict=False)))


def instance_answer(regions: Sequence[Region], shape: tuple[int, int]) -> dict[str, Any]:
    return instance_value(shape, [(label, crop_mask(mask)) for label, mask in regions])


# ---------------------------------------------------------------- scores


def semantic_scores(answer: dict[str, Any], gold: dict[str, Any], classes: Sequence[str]) -> tuple[float, ...]:
    from labelworks.core.consolidation.structured.segmentation import semantic_ids

    a, g = semantic_ids(answer, classes, "answer"), semantic_ids(gold, classes, "gold")
    return similarity("semantic-segmentation", answer, gold), float((a == g).mean())


def instance_scores(answer: dict[str, Any], gold: dict[str, Any]) -> tuple[float, ...]:
    f1 = similarity("instance-segmentation", answer, gold)
    _, a = instance_masks(answer, "answer")
    _, g = instance_masks(gold, "gold")
    a = [o for o in a if o[1].area > 0]
    if not a:
        return f1, 0.0, 0.0, 1.0
    from labelworks.core.consolidation.structured.segmentation import _iou_matrix

    iou = _iou_matrix([c for _, c in a], [c for _, c in g])
    iou = np.where(np.array([[x[0] == y[0] for y in g] for x in a]), iou, 0.0)
    rows, cols = linear_sum_assignment(iou, maximize=True)
    hits = iou[rows, cols] >= 0.5
    matched = iou[rows, cols][iou[rows, cols] > 0]
    return f1, float(matched.mean()) if matched.size else 0.0, hits.sum() / len(g), hits.sum() / len(a)


# ---------------------------------------------------------------- runs


def run(name: str, gold: list[Region], shape: tuple[int, int], instance: bool, k_values: Sequence[int],
        trials: int, seed: int) -> list[tuple[str, int, str, np.ndarray]]:
    classes = sorted({label for label, _ in gold})
    if instance:
        gold_value = instance_answer(gold, shape)
        encode: Callable[[list[Region]], dict[str, Any]] = lambda r: instance_answer(r, shape)  # noqa: E731
        score: Callable[[dict[str, Any]], tuple[float, ...]] = lambda v: instance_scores(v, gold_value)  # noqa: E731
    else:
        gold_value = semantic_answer(gold, shape, classes)
        encode = lambda r: semantic_answer(r, shape, classes)  # noqa: E731
        score = lambda v: semantic_scores(v, gold_value, classes)  # noqa: E731
    rows = []
    for noise, p in SETTINGS.items():
        for k in k_values:
            rng = np.random.default_rng(seed)
            single, plain, weighted = [], [], []
            for _ in range(trials):
                skill = rng.uniform(0.5, 1.5, k)
                workers = [(f"w{i}", encode(simulate(gold, shape, classes, rng, float(skill[i]), p))) for i in range(k)]
                single.extend(score(v) for _, v in workers)
                weights = {f"w{i}": float(0.5 / skill[i]) for i in range(k)}
                if instance:
                    plain.append(score(consolidate_instances(workers, label_order=classes).value))
                    weighted.append(score(consolidate_instances(workers, label_order=classes, weights=weights).value))
                else:
                    plain.append(score(consolidate_semantic(workers, label_order=classes).value))
                    weighted.append(score(consolidate_semantic(workers, label_order=classes, weights=weights).value))
            method = "instance-mask-consensus" if instance else "segmentation-pixel-vote"
            for label, got in (("single worker (mean)", single), (method, plain),
                               (f"{method}, weights 1/skill", weighted)):
                rows.append((noise, k, label, np.mean(np.array(got), axis=0)))
    return rows


def speed(seed: int) -> None:
    """Consolidation time of 5 answers on a 4000 x 3000 image: 50 classes (100 px tiles, each
    worker re-draws 5 % of them at random), then 50 instances (400 x 300 px rectangles moved by up
    to 10 px per worker). Answers are palette PNGs, as consolidation and imports write them."""
    from labelworks.core.consolidation.structured.label_maps import palette_colours

    rng = np.random.default_rng(seed)
    height, width, k = 3000, 4000, 50
    classes = [f"c{i}" for i in range(k)]
    colours = dict(zip(classes, palette_colours(k), strict=True))
    tiles = rng.integers(0, k + 1, (height // 100, width // 100))
    answers = []
    for i in range(5):
        noisy = tiles.copy()
        flip = rng.random(tiles.shape) < 0.05
        noisy[flip] = rng.integers(0, k + 1, int(flip.sum()))
        answers.append((f"w{i}", semantic_value(np.kron(noisy, np.ones((100, 100), dtype=np.int64)), classes, colours)))
    started = time.perf_counter()
    consolidate_semantic(answers, label_order=classes)
    print(f"segmentation-pixel-vote, 5 x {width} x {height}, {k} classes: {time.perf_counter() - started:.2f} s")
    answers = []
    for i in range(5):
        objects = []
        for n in range(k):
            y, x = (n // 10) * 550 + 50, (n % 10) * 390 + 20
            dy, dx = (int(v) for v in rng.integers(-10, 10, 2))
            full = np.zeros((height, width), dtype=bool)
            full[y + dy:y + dy + 400, x + dx:x + dx + 300] = True
            objects.append(("car", crop_mask(full)))
        answers.append((f"w{i}", instance_value((height, width), objects)))
    started = time.perf_counter()
    consolidate_instances(answers, label_order=["car"])
    print(f"instance-mask-consensus, 5 x {width} x {height}, {k} instances: {time.perf_counter() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", default="3,5", help="workers per item, comma-separated")
    parser.add_argument("--speed", action="store_true", help="time 5 answers on a 4000 x 3000 image instead")
    args = parser.parse_args()
    if args.speed:
        speed(args.seed)
        return
    k_values = [int(k) for k in args.workers.split(",")]
    coins, coin_shape = coin_gold()
    golds = [("coins (semantic: small / large)", coins, coin_shape, False),
             ("horse (semantic)", *horse_gold(), False),
             ("KITTI 000001 boxes rasterised (semantic: 4 classes)", *kitti_gold(args.data), False),
             ("coins (instances: 24)", coins, coin_shape, True)]
    for title, gold, shape, instance in golds:
        started = time.perf_counter()
        rows = run(title, gold, shape, instance, k_values, args.trials, args.seed)
        print(f"{title}, {shape[1]} x {shape[0]}, {args.trials} images per row "
              f"({time.perf_counter() - started:.0f} s)\n")
        if instance:
            print("| noise | workers | answer | soft F1 (IoU) | mean IoU matched | recall@0.5 | precision@0.5 |")
            print("|---|---:|---|---:|---:|---:|---:|")
            for noise, k, label, m in rows:
                print(f"| {noise} | {k} | {label} | {m[0]:.3f} | {m[1]:.3f} | {m[2]:.3f} | {m[3]:.3f} |")
        else:
            print("| noise | workers | answer | mean IoU | pixel accuracy |")
            print("|---|---:|---|---:|---:|")
            for noise, k, label, m in rows:
                print(f"| {noise} | {k} | {label} | {m[0]:.3f} | {m[1]:.4f} |")
        print(flush=True)


if __name__ == "__main__":
    main()
