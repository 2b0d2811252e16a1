"""``evaluation-criteria`` on simulated raters: how far the consolidated answers are from the truth,
against the naive median / majority, and what a full fit and a one-item update cost.

    .venv/bin/python bench/evaluation_consolidation.py [--seeds 20] [--items 150] [--per-item 5]

The raters (8 in the pool, ``per_item`` of them drawn per prompt, 3 models per prompt):
Likert: true quality uniform in [1.5, 4.5], each rater adds a bias (-1.2, -0.8, 0, 0, +0.6, +1.0,
0, 0) and N(0, 0.5) noise, rounded and clipped to 1..5. Choice and thumbs: r0-r3 are right 80 %
of the time, r4-r5 answer at random, r6-r7 always choose m1 / always say "up".
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from typing import Any

from labelworks.core.consolidation.base import Answer
from labelworks.core.consolidation.structured.evaluation import EVALUATION_CRITERIA
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec

SPEC = ProjectSpec(parse_label_config({"labels": [{"label": "evaluation"}], "criteria": [
    "accuracy", "toxicity", {"name": "preferred", "method": "choice"}]}))
MODELS = ["m1", "m2", "m3"]
BIASES = {"r0": -1.2, "r1": -0.8, "r2": 0.0, "r3": 0.0, "r4": 0.6, "r5": 1.0, "r6": 0.0, "r7": 0.0}


def simulate(seed: int, items: int, per_item: int) -> tuple[dict[str, Any], list[Answer]]:
    rng = random.Random(seed)
    truth: dict[str, Any] = {}
    answers = []
    for i in range(items):
        item = f"p{i:05d}"
        quality = {m: rng.uniform(1.5, 4.5) for m in MODELS}
        safe = {m: "up" if rng.random() < 0.6 else "down" for m in MODELS}
        best = rng.choice(MODELS)
        truth[item] = (quality, safe, best)
        for r in rng.sample(sorted(BIASES), per_item):
            k = int(r[1:])
            ratings = {m: min(5, max(1, round(quality[m] + BIASES[r] + rng.gauss(0, 0.5)))) for m in MODELS}
            if k < 4:
                chosen = best if rng.random() < 0.8 else rng.choice([m for m in MODELS if m != best])
                thumbs = {m: safe[m] if rng.random() < 0.8 else ("down" if safe[m] == "up" else "up") for m in MODELS}
            elif k < 6:
                chosen, thumbs = rng.choice(MODELS), {m: rng.choice(["up", "down"]) for m in MODELS}
            else:
                chosen, thumbs = "m1", dict.fromkeys(MODELS, "up")
            answers.append(Answer(item, r, {"models": MODELS, "criteria": {
                "accuracy": {"method": "likert", "ratings": ratings},
                "toxicity": {"method": "thumbs", "ratings": thumbs},
                "preferred": {"method": "choice", "chosen": chosen}}}))
    return truth, answers


def _majority(votes: list[str]) -> str:
    return min(set(votes), key=lambda v: (-votes.count(v), v))


def score(truth: dict[str, Any], answers: list[Answer]) -> dict[str, float]:
    by_item: dict[str, list[Any]] = {}
    for a in answers:
        by_item.setdefault(a.item, []).append(a.value["criteria"])
    mv = EVALUATION_CRITERIA.fit(answers, SPEC, {}).results
    ds = EVALUATION_CRITERIA.fit(answers, SPEC, {"labels": "dawid-skene"}).results
    sq_med, sq_model = [], []
    right = dict.fromkeys(("choice_naive", "choice_mv", "choice_ds", "thumb_naive", "thumb_ds"), 0)
    for item, given in by_item.items():
        quality, safe, best = truth[item]
        got = ds[item].value["criteria"]
        for m in MODELS:
            sq_med.append((statistics.median(g["accuracy"]["ratings"][m] for g in given) - quality[m]) ** 2)
            sq_model.append((got["accuracy"]["ratings"][m] - quality[m]) ** 2)  # type: ignore[index]
            right["thumb_naive"] += _majority([g["toxicity"]["ratings"][m] for g in given]) == safe[m]
            right["thumb_ds"] += got["toxicity"]["ratings"][m] == safe[m]  # type: ignore[index]
        right["choice_naive"] += _majority([g["preferred"]["chosen"] for g in given]) == best
        right["choice_mv"] += mv[item].value["criteria"]["preferred"]["chosen"] == best  # type: ignore[index]
        right["choice_ds"] += got["preferred"]["chosen"] == best  # type: ignore[index]
    n = len(by_item)
    out = {"rmse_median": math.sqrt(statistics.mean(sq_med)), "rmse_model": math.sqrt(statistics.mean(sq_model))}
    out.update({k: v / (n * (len(MODELS) if k.startswith("thumb") else 1)) for k, v in right.items()})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--items", type=int, default=150)
    ap.add_argument("--per-item", type=int, default=5)
    ap.add_argument("--timing-items", type=int, default=2000)
    args = ap.parse_args()
    rows = [score(*simulate(seed, args.items, args.per_item)) for seed in range(args.seeds)]
    print(f"{args.seeds} seeds, {args.items} prompts, {args.per_item} of 8 raters per prompt (mean, min-max)")
    for key in rows[0]:
        vals = [r[key] for r in rows]
        print(f"  {key:13s} {statistics.mean(vals):.3f}  ({min(vals):.3f}-{max(vals):.3f})")
    _, answers = simulate(0, args.timing_items, args.per_item)
    for params in ({}, {"labels": "dawid-skene"}):
        started = time.perf_counter()
        fit = EVALUATION_CRITERIA.fit(answers, SPEC, params)
        full = time.perf_counter() - started
        one = [a for a in answers if a.item == "p00010"]
        started = time.perf_counter()
        for _ in range(200):
            EVALUATION_CRITERIA.update(one, SPEC, params, fit.state)
        per = (time.perf_counter() - started) / 200
        print(f"  {params or 'defaults'}: full fit of {len(answers)} answers {full:.2f} s, "
              f"one-item update {per * 1000:.2f} ms")


if __name__ == "__main__":
    main()
