"""Polygon and keypoint consensus on simulated workers around real gold geometry (used by
``geometric_consensus.py --kind polygons|keypoints``).

Gold polygons: the coins of ``skimage.data.coins()`` (303 x 384, 24 coins), segmented as in
scikit-image's gallery (Sobel elevation, watershed from dark / bright markers, holes filled), each
region's outline traced (``find_contours``) and simplified to 1 px (``approximate_polygon``);
labelled ``small`` / ``large`` by area (split at the median) so that label confusion means something.

Gold keypoints, two sets:

* ``pose``: MediaPipe Pose (0.10.14, the model bundled in the wheel, complexity 1) on the two people
  in ``skimage.data`` (``astronaut``, ``camera``): the landmarks it reports with visibility > 0.5
  (14 + 27 points, 33 distinct labels such as ``left_wrist``). A model's output, used as gold
  geometry to simulate around, not a human reference;
* ``coin centres``: the centroids of the 24 gold coins above, labelled ``small`` / ``large``:
  many points sharing a label, the hard case for matching.

Workers (skill s ~ U(0.5, 1.5) scales their noise), per gold object:

* polygons: miss with probability ``miss``; otherwise walk the gold outline with n ~ U{8..24}
  vertices evenly spaced along its perimeter (a worker clicks fewer, differently placed vertices),
  move the whole shape by N(0, offset x s x sqrt(area)) and each vertex by
  N(0, jitter x s x sqrt(area)); wrong label with probability ``confusion``; Poisson(``extra``)
  extra polygons (a gold shape moved to a random place);
* keypoints: miss with probability ``miss``; otherwise click at N(0, offset x s x sqrt(object
  area)) per axis from gold; wrong label with probability ``confusion`` (pose: the left/right twin
  when there is one, else any other label; coins: the other size); Poisson(``extra``) extra points
  of a random label at a random place.

Scores against gold: polygons as boxes (soft F1 of raster IoU, mean IoU of matched, recall and
precision at IoU >= 0.5, labels must agree); keypoints by an OKS-style score per gold point,
exp(-d^2 / 2 (k sqrt(A))^2) with k = 0.05 and A the object's area (the person's landmark box, the
coin's pixel area), label-matched by the Hungarian algorithm: mean OKS over gold points (0 when
missed), mean pixel distance of matched points, and recall / precision at OKS >= 0.5.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from labelworks.core.consolidation.base import Answer
from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.masks import rasterize
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.plugins.manager import get_registry

OKS_K = 0.05


# ---------------------------------------------------------------- gold geometry

def coin_regions() -> tuple[np.ndarray, list[dict[str, Any]]]:
    """(the labelled region image, per coin: label, polygon, centroid, area)."""
    from scipy import ndimage as ndi
    from skimage import data, measure
    from skimage.filters import sobel
    from skimage.segmentation import watershed

    coins = data.coins()
    markers = np.zeros_like(coins)
    markers[coins < 30] = 1
    markers[coins > 150] = 2
    segmentation = ndi.binary_fill_holes(watershed(sobel(coins), markers) - 1)
    labelled, _ = ndi.label(segmentation)
    regions = [r for r in measure.regionprops(labelled) if r.area >= 100]
    median = float(np.median([r.area for r in regions]))
    out = []
    for r in regions:
        mask = np.pad(labelled == r.label, 1)
        contour = max(measure.find_contours(mask.astype(float), 0.5), key=len) - 1  # undo the padding
        ring = measure.approximate_polygon(contour, tolerance=1.0)[:-1]  # closed: drop the repeat
        out.append({"label": "large" if r.area > median else "small",
                    "vertices": [{"x": float(c), "y": float(rw)} for rw, c in ring],
                    "centroid": (float(r.centroid[1]), float(r.centroid[0])), "area": float(r.area)})
    return labelled, out


def pose_landmarks() -> list[dict[str, Any]]:
    """Per image: size and the landmarks MediaPipe reports visible, with the person's area."""
    import warnings

    os.environ.setdefault("GLOG_minloglevel", "2")
    import mediapipe as mp
    from skimage import data

    names = [lm.name.lower() for lm in mp.solutions.pose.PoseLandmark]
    out = []
    for name in ("astronaut", "camera"):
        img = getattr(data, name)()
        if img.ndim == 2:
            img = np.stack([img] * 3, axis=-1)
        h, w = img.shape[:2]
        with warnings.catch_warnings(), contextlib.redirect_stderr(open(os.devnull, "w")):  # noqa: SIM115
            warnings.simplefilter("ignore")
            with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
                result = pose.process(np.ascontiguousarray(img))
        lms = result.pose_landmarks.landmark
        pts = [{"label": names[i], "x": lm.x * w, "y": lm.y * h} for i, lm in enumerate(lms) if lm.visibility > 0.5]
        xs, ys = [p["x"] for p in pts], [p["y"] for p in pts]
        area = (max(xs) - min(xs)) * (max(ys) - min(ys))
        out.append({"image": name, "width": w, "height": h, "points": [{**p, "area": area} for p in pts]})
    return out


# ---------------------------------------------------------------- simulated workers

def _resample(vertices: list[dict[str, Any]], n: int, rng: np.random.Generator) -> np.ndarray:
    """n points evenly spaced along the closed outline, from a random start."""
    pts = np.array([[v["x"], v["y"]] for v in vertices] + [[vertices[0]["x"], vertices[0]["y"]]])
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    at = (rng.uniform(0, cum[-1]) + np.arange(n) * cum[-1] / n) % cum[-1]
    return np.stack([np.interp(at, cum, pts[:, 0]), np.interp(at, cum, pts[:, 1])], axis=1)


def simulate_polygons(gold: list[dict[str, Any]], size: tuple[int, int], rng: np.random.Generator, skill: float,
                      p: dict[str, float]) -> dict[str, Any]:
    width, height = size
    labels = sorted({g["label"] for g in gold})
    out = []

    def clip(xy: np.ndarray) -> list[dict[str, float]]:
        xy = np.clip(xy, 0, [width - 1, height - 1])
        return [{"x": round(float(x), 2), "y": round(float(y), 2)} for x, y in xy]

    for g in gold:
        if rng.random() < p["miss"]:
            continue
        scale = np.sqrt(g["area"])
        xy = _resample(g["vertices"], int(rng.integers(8, 25)), rng)
        xy = xy + rng.normal(0, p["offset"] * skill * scale, 2) + rng.normal(0, p["jitter"] * skill * scale, xy.shape)
        label = g["label"]
        if rng.random() < p["confusion"]:
            label = str(rng.choice([x for x in labels if x != label]))
        out.append({"label": label, "vertices": clip(xy)})
    for _ in range(rng.poisson(p["extra"])):
        like = gold[int(rng.integers(len(gold)))]
        xy = np.array([[v["x"], v["y"]] for v in like["vertices"]])
        xy = xy - xy.min(axis=0) + [rng.uniform(0, width - np.ptp(xy[:, 0])), rng.uniform(0, height - np.ptp(xy[:, 1]))]
        out.append({"label": like["label"], "vertices": clip(xy)})
    return {"polygons": out, "inputImageProperties": {"width": width, "height": height}}


def _twin(label: str, labels: Sequence[str], rng: np.random.Generator) -> str:
    for a, b in (("left", "right"), ("right", "left")):
        if label.startswith(a) and label.replace(a, b, 1) in labels:
            return label.replace(a, b, 1)
    return str(rng.choice([x for x in labels if x != label]))


def simulate_keypoints(gold: list[dict[str, Any]], size: tuple[int, int], labels: Sequence[str],
                       rng: np.random.Generator, skill: float, p: dict[str, float]) -> dict[str, Any]:
    width, height = size
    out = []
    for g in gold:
        if rng.random() < p["miss"]:
            continue
        d = rng.normal(0, p["offset"] * skill * np.sqrt(g["area"]), 2)
        label = _twin(g["label"], labels, rng) if rng.random() < p["confusion"] else g["label"]
        out.append({"label": label, "x": round(float(np.clip(g["x"] + d[0], 0, width)), 2),
                    "y": round(float(np.clip(g["y"] + d[1], 0, height)), 2)})
    for _ in range(rng.poisson(p["extra"])):
        out.append({"label": str(rng.choice(list(labels))), "x": round(float(rng.uniform(0, width)), 2),
                    "y": round(float(rng.uniform(0, height)), 2)})
    return {"keypoints": out, "inputImageProperties": {"width": width, "height": height}}


# ---------------------------------------------------------------- scores

def polygon_scores(answer: dict[str, Any], gold: list[dict[str, Any]], size: tuple[int, int]) -> tuple[float, ...]:
    """(soft F1 of IoU, mean IoU of matched, recall@0.5, precision@0.5), labels must agree."""
    gold_value = {"polygons": [{"label": g["label"], "vertices": g["vertices"]} for g in gold]}
    f1 = similarity("polygons", answer, gold_value)
    shapes = answer["polygons"]
    if not shapes:
        return f1, 0.0, 0.0, 1.0
    frame = (0, 0, size[0], size[1])
    am = [rasterize([(v["x"], v["y"]) for v in s["vertices"]], frame) for s in shapes]
    gm = [rasterize([(v["x"], v["y"]) for v in g["vertices"]], frame) for g in gold]
    a = np.array([m.ravel() for m in am], dtype=np.float32)
    g = np.array([m.ravel() for m in gm], dtype=np.float32)
    inter = a @ g.T
    union = a.sum(1)[:, None] + g.sum(1)[None, :] - inter
    iou = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    iou = np.where(np.array([[s["label"] == x["label"] for x in gold] for s in shapes]), iou, 0.0)
    rows, cols = linear_sum_assignment(iou, maximize=True)
    hits = iou[rows, cols] >= 0.5
    matched = iou[rows, cols][iou[rows, cols] > 0]
    return f1, float(matched.mean()) if matched.size else 0.0, hits.sum() / len(gold), hits.sum() / len(shapes)


def keypoint_scores(answer: dict[str, Any], gold: list[dict[str, Any]]) -> tuple[float, ...]:
    """(mean OKS over gold points, mean px distance of matched, recall@OKS 0.5, precision@OKS 0.5)."""
    pts = answer["keypoints"]
    if not pts:
        return 0.0, float("nan"), 0.0, 1.0
    a = np.array([[p["x"], p["y"]] for p in pts])
    g = np.array([[q["x"], q["y"]] for q in gold])
    d = np.linalg.norm(a[:, None, :] - g[None, :, :], axis=2)
    sigma = OKS_K * np.sqrt(np.array([q["area"] for q in gold]))
    oks = np.exp(-(d ** 2) / (2 * sigma[None, :] ** 2))
    oks = np.where(np.array([[p["label"] == q["label"] for q in gold] for p in pts]), oks, 0.0)
    rows, cols = linear_sum_assignment(oks, maximize=True)
    good = oks[rows, cols] >= 0.5
    dist = d[rows, cols][good]
    return (float(oks[rows, cols].sum() / len(gold)), float(dist.mean()) if dist.size else float("nan"),
            good.sum() / len(gold), good.sum() / len(pts))


# ---------------------------------------------------------------- runs

def _consolidate(method: str, labels: Sequence[str], workers: list[tuple[str, dict[str, Any]]],
                 weights: dict[str, float] | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """One item through the registered consolidator, as a project using it would run it."""
    consolidator = get_registry().consolidator(method)
    spec = ProjectSpec(parse_label_config(list(labels)))
    params = consolidator.params({**(overrides or {}), **({"worker_weights": weights} if weights else {})})
    fit = consolidator.fit([Answer("item", w, v) for w, v in workers], spec, params)
    return dict(fit.results["item"].value)


Table = list[tuple[str, int, str, np.ndarray]]


def _run(k_values: Sequence[int], trials: int, seed: int, settings: dict[str, dict[str, float]],
         simulate: Callable[[np.random.Generator, float, dict[str, float]], list[dict[str, Any]]],
         score: Callable[[dict[str, Any]], list[tuple[float, ...]]], method: str, labels: Sequence[str],
         overrides: dict[str, Any] | None = None) -> Table:
    """Per noise and K: the mean scores of single workers, consensus, and consensus weighted 1/skill.

    ``simulate`` gives one worker's answers (one per image); ``score`` scores answers (one per image).
    """
    rows: Table = []
    for noise, p in settings.items():
        for k in k_values:
            rng = np.random.default_rng(seed)
            single, plain, weighted = [], [], []
            for _ in range(trials):
                skill = rng.uniform(0.5, 1.5, k)
                per_worker = [simulate(rng, float(skill[i]), p) for i in range(k)]
                for answers in per_worker:
                    single.extend(score(answers))
                n_images = len(per_worker[0])
                quality = {f"w{i}": float(0.5 / skill[i]) for i in range(k)}  # in (1/3, 1]
                for out, weights in ((plain, None), (weighted, quality)):
                    consensus = [_consolidate(method, labels, [(f"w{i}", per_worker[i][j]) for i in range(k)], weights,
                                              overrides)
                                 for j in range(n_images)]
                    out.extend(score(consensus))
            for name, values in (("single worker (mean)", single), (method, plain), (f"{method}, weights 1/skill", weighted)):
                rows.append((noise, k, name, np.nanmean(np.array(values, dtype=float), axis=0)))
    return rows


def polygon_table(k_values: Sequence[int], trials: int, seed: int) -> Table:
    _, coins = coin_regions()
    size = (384, 303)
    labels = ("large", "small")
    settings = {
        "moderate": {"miss": 0.1, "offset": 0.03, "jitter": 0.02, "confusion": 0.1, "extra": 0.3},
        "noisy": {"miss": 0.2, "offset": 0.06, "jitter": 0.04, "confusion": 0.2, "extra": 0.6},
    }
    return _run(k_values, trials, seed, settings,
                lambda rng, s, p: [simulate_polygons(coins, size, rng, s, p)],
                lambda answers: [polygon_scores(answers[0], coins, size)], "polygon-pixel-vote", labels)


def keypoint_tables(k_values: Sequence[int], trials: int, seed: int, radius: float | None = None) -> dict[str, Table]:
    """``radius``: keypoint-consensus's clustering radius (share of the image diagonal; default 0.05)."""
    overrides = {"radius": radius} if radius is not None else None
    settings = {
        "moderate": {"miss": 0.1, "offset": 0.03, "confusion": 0.1, "extra": 0.3},
        "noisy": {"miss": 0.2, "offset": 0.06, "confusion": 0.2, "extra": 0.6},
    }
    people = pose_landmarks()
    pose_labels = sorted({p["label"] for person in people for p in person["points"]} |
                         {n.replace("left", "right", 1) for person in people for p in person["points"]
                          for n in [p["label"]] if n.startswith("left")} |
                         {n.replace("right", "left", 1) for person in people for p in person["points"]
                          for n in [p["label"]] if n.startswith("right")})
    _, coins = coin_regions()
    centres = [{"label": c["label"], "x": c["centroid"][0], "y": c["centroid"][1], "area": c["area"]} for c in coins]
    return {
        f"pose ({sum(len(p['points']) for p in people)} MediaPipe landmarks on astronaut + camera)": _run(
            k_values, trials, seed, settings,
            lambda rng, s, p: [simulate_keypoints(person["points"], (person["width"], person["height"]), pose_labels,
                                                  rng, s, p) for person in people],
            lambda answers: [keypoint_scores(a, person["points"]) for a, person in zip(answers, people, strict=True)],
            "keypoint-consensus", pose_labels, overrides),
        f"coin centres ({len(centres)} points, 2 labels)": _run(
            k_values, trials, seed, settings,
            lambda rng, s, p: [simulate_keypoints(centres, (384, 303), ("large", "small"), rng, s, p)],
            lambda answers: [keypoint_scores(answers[0], centres)], "keypoint-consensus", ("large", "small"), overrides),
    }
