"""Numeric ratings: a robust mean after removing each worker's additive bias.

Value shape: ``{"rating": number}``.

Model: worker w rating item i gives r = mu_i + b_w + noise, where some noise is wild (a slipped
slider). :func:`fit_ratings` alternates, vectorised over all answers (``np.bincount``):

* item values mu_i = Huber mean of the bias-corrected ratings r - b_w of item i;
* worker biases b_w = Huber mean of the residuals r - mu_i of worker w, shrunk toward 0 by
  ``shrinkage`` (default 10) pseudo-answers (a worker seen on two items gets little bias), then centred so the
  answer-weighted mean bias is 0 (the model only identifies biases up to a constant);

with Huber's cut-off at ``huber_k`` (default 3) times the residuals' robust scale (1.4826 x median absolute residual),
until no value moves by more than 1e-6 of the scale, at most 50 rounds. Worker quality weights,
when given, multiply the Huber weights.

Confidence: 1 - sd / sd_uniform, clipped to [0, 1], where sd is the weighted spread of the
corrected ratings around the consolidated value and sd_uniform = (scale_max - scale_min) / sqrt(12)
is the spread of ratings drawn at random on the scale: unanimous workers give 1, answers no better
than random give 0. The scale comes from ``scale_min``/``scale_max``, else from the smallest and
largest rating seen in the fit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..majority import Consolidated
from ._common import FloatArray, confidence, number

__all__ = ["RatingFit", "fit_ratings", "parse_rating", "rating_similarity"]

def parse_rating(value: Mapping[str, Any], where: str = "value") -> float:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected an object with a 'rating' number")
    return number(value.get("rating"), f"{where}.rating")


def rating_similarity(a: Mapping[str, Any], b: Mapping[str, Any], *, scale_min: float | None = None,
                      scale_max: float | None = None) -> float:
    """1 - |a - b| / (scale_max - scale_min) with a scale; 1 / (1 + |a - b|) without one."""
    ra, rb = parse_rating(a, "a"), parse_rating(b, "b")
    if scale_min is not None and scale_max is not None and scale_max > scale_min:
        return max(0.0, 1.0 - abs(ra - rb) / (scale_max - scale_min))
    return 1.0 / (1.0 + abs(ra - rb))


@dataclass(frozen=True)
class RatingFit:
    """Per item: value, confidence, answer count; per worker: bias, quality; the scale used."""

    items: list[str]
    values: FloatArray
    confidences: list[float]
    counts: list[int]
    biases: dict[str, float]
    quality: dict[str, float]
    scale: tuple[float, float]
    iterations: int


def _huber_weights(residual: FloatArray, scale: float, k: float) -> FloatArray:
    c = k * scale
    a = np.abs(residual)
    out: FloatArray = np.where(a <= c, 1.0, c / np.where(a > 0, a, 1.0))
    return out


def _group_mean(group: Any, values: FloatArray, weights: FloatArray, size: int, prior: float = 0.0) -> FloatArray:
    num = np.bincount(group, weights=values * weights, minlength=size)
    den = np.bincount(group, weights=weights, minlength=size) + prior
    out: FloatArray = np.divide(num, den, out=np.zeros(size), where=den > 0)
    return out


def fit_ratings(
    items: Sequence[str],
    workers: Sequence[str],
    ratings: Sequence[float],
    *,
    worker_weights: Mapping[str, float] | None = None,
    biases: Mapping[str, float] | None = None,
    scale_min: float | None = None,
    scale_max: float | None = None,
    shrinkage: float = 10.0,
    huber_k: float = 3.0,
    max_iterations: int = 50,
) -> RatingFit:
    """Fit item values and worker biases (see the module doc).

    With ``biases`` given (a previous fit's), they are held fixed and only the items are answered
    (the incremental update); workers absent from them get bias 0 (the mean worker).
    """
    if not (len(items) == len(workers) == len(ratings)):
        raise ValueError("items, workers and ratings differ in length")
    if not len(items):
        raise ValueError("no answers to consolidate")
    r = np.array([number(x, f"rating {k + 1}") for k, x in enumerate(ratings)], dtype=np.float64)
    item_names, ii = np.unique(np.asarray(items, dtype=str), return_inverse=True)
    worker_names, wi = np.unique(np.asarray(workers, dtype=str), return_inverse=True)
    n_items, n_workers = item_names.size, worker_names.size
    lo = float(r.min()) if scale_min is None else float(scale_min)
    hi = float(r.max()) if scale_max is None else float(scale_max)
    if hi < lo:
        raise ValueError(f"scale_max ({hi}) is below scale_min ({lo})")
    span = hi - lo
    qw = np.ones(n_workers)
    if worker_weights:
        qw = np.array([float(worker_weights.get(str(name), 1.0)) for name in worker_names])
        if np.any((qw < 0) | (qw > 1)):
            raise ValueError("worker weights must lie in [0, 1]")
        if qw.sum() <= 0:
            qw = np.ones(n_workers)
    aw = qw[wi]  # per-answer quality weight
    fixed = biases is not None
    b = np.array([float(biases.get(str(name), 0.0)) for name in worker_names]) if biases is not None else np.zeros(n_workers)
    # start from the plain per-item median-ish: the mean, then robust passes pull it in
    mu = _group_mean(ii, r - b[wi], aw, n_items)
    tol = 1e-6 * max(span, 1.0)
    it = 0
    for it in range(1, max_iterations + 1):  # noqa: B007 (the count is returned)
        res = r - b[wi] - mu[ii]
        s = 1.4826 * float(np.median(np.abs(res)))
        s = s if s > 0 else max(float(np.mean(np.abs(res))), 1e-9)
        new_mu = _group_mean(ii, r - b[wi], aw * _huber_weights(res, s, huber_k), n_items)
        if not fixed:
            res_b = r - new_mu[ii] - b[wi]
            hw = aw * _huber_weights(res_b, s, huber_k)
            new_b = _group_mean(wi, r - new_mu[ii], hw, n_workers, prior=shrinkage)
            counts = np.bincount(wi, minlength=n_workers).astype(np.float64)
            new_b -= float((new_b * counts).sum() / counts.sum())
        else:
            new_b = b
        moved = max(float(np.max(np.abs(new_mu - mu))), float(np.max(np.abs(new_b - b))))
        mu, b = new_mu, new_b
        if moved < tol:
            break
    values = np.clip(mu, lo, hi) if (scale_min is not None or scale_max is not None) else mu
    corrected = r - b[wi]
    dev2 = _group_mean(ii, (corrected - values[ii]) ** 2, aw, n_items)
    counts_i = np.bincount(ii, minlength=n_items)
    sd_uniform = span / math.sqrt(12.0) if span > 0 else 1.0
    conf = [confidence(1.0 - math.sqrt(float(d)) / sd_uniform, int(c)) for d, c in zip(dev2, counts_i, strict=True)]
    # worker quality: 1 - the worker's RMS corrected error over the spread of random ratings
    err = _group_mean(wi, (corrected - values[ii]) ** 2, np.ones_like(r), n_workers)
    quality = {str(name): round(max(0.0, 1.0 - math.sqrt(float(e)) / sd_uniform), 4)
               for name, e in zip(worker_names, err, strict=True)}
    return RatingFit(
        items=[str(x) for x in item_names],
        values=values,
        confidences=conf,
        counts=[int(c) for c in counts_i],
        biases={str(name): float(x) for name, x in zip(worker_names, b, strict=True)},
        quality=quality,
        scale=(lo, hi),
        iterations=it,
    )


def rating_results(fit: RatingFit, method: str, digits: int = 4) -> dict[str, Consolidated]:
    """One :class:`Consolidated` per item of a fit."""
    return {
        item: Consolidated(value={"rating": round(float(v), digits)}, confidence=c, votes=n, method=method)
        for item, v, c, n in zip(fit.items, fit.values, fit.confidences, fit.counts, strict=True)
    }
