"""Numeric ratings: rating-robust-mean vs the plain mean and median on N_Emotion (Zheng et al. 2017).

../shared/data/ti_zheng_n_emotion: 700 headlines x 10 ratings in [-100, 100] by 38 workers, with a
numeric truth per item. Prints MAE / RMSE against the truth for the plain mean, the median, the
Huber mean without worker biases and the default ``rating-robust-mean`` (biases fitted across
items), plus a few parameter settings.

    .venv/bin/python bench/rating_consensus.py
"""

from __future__ import annotations

import argparse
import csv
import statistics
from pathlib import Path

import numpy as np

from labelworks.core.consolidation.base import Answer
from labelworks.core.consolidation.structured.consolidators import RatingRobustMean
from labelworks.core.consolidation.structured.ratings import fit_ratings
from labelworks.core.labels import LabelConfig
from labelworks.core.tasktypes.base import ProjectSpec


def errors(pred: dict[str, float], truth: dict[str, float]) -> tuple[float, float]:
    e = np.array([pred[t] - truth[t] for t in pred if t in truth])
    return float(np.abs(e).mean()), float(np.sqrt((e**2).mean()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args()
    folder = args.data / "ti_zheng_n_emotion"
    with (folder / "answers.csv").open() as f:
        rows = list(csv.DictReader(f))
    with (folder / "truth.csv").open() as f:
        truth = {r["task"]: float(r["truth"]) for r in csv.DictReader(f)}
    by_item: dict[str, list[float]] = {}
    for r in rows:
        by_item.setdefault(r["task"], []).append(float(r["label"]))
    items = [r["task"] for r in rows]
    workers = [r["worker"] for r in rows]
    ratings = [float(r["label"]) for r in rows]
    print(f"{len(rows)} answers, {len(by_item)} items, {len(set(workers))} workers\n")
    print("| method | MAE | RMSE |")
    print("|---|---:|---:|")
    table = {
        "plain mean": {k: statistics.fmean(v) for k, v in by_item.items()},
        "median": {k: statistics.median(v) for k, v in by_item.items()},
    }
    no_bias = fit_ratings(items, workers, ratings, scale_min=-100, scale_max=100, biases={})
    table["Huber mean (k=3), no worker bias"] = dict(zip(no_bias.items, no_bias.values.tolist(), strict=True))
    spec = ProjectSpec(labels=LabelConfig(labels=()))
    fit = RatingRobustMean().fit([Answer(i, w, {"rating": r}) for i, w, r in zip(items, workers, ratings, strict=True)],
                                 spec, {"scale_min": -100, "scale_max": 100})
    table["**rating-robust-mean** (default: k=3, shrinkage=10)"] = {
        k: float(v.value["rating"]) for k, v in fit.results.items()}  # type: ignore[arg-type]
    for k, shrink in ((1.345, 10.0), (5.0, 10.0), (1e9, 10.0), (3.0, 0.0)):
        f = fit_ratings(items, workers, ratings, scale_min=-100, scale_max=100, huber_k=k, shrinkage=shrink)
        name = "plain" if k > 1e6 else f"Huber k={k}"
        table[f"bias-corrected, {name} mean, shrinkage={shrink:g}"] = dict(zip(f.items, f.values.tolist(), strict=True))
    for name, pred in table.items():
        mae, rmse = errors(pred, truth)
        print(f"| {name} | {mae:.3f} | {rmse:.3f} |")


if __name__ == "__main__":
    main()
