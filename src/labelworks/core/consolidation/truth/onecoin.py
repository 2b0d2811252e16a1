"""One-coin Dawid-Skene: one accuracy per worker, errors spread evenly over the other classes.

P(worker w answers l | true k) = p_w if l = k, else (1 - p_w) / (K - 1). EM from majority vote;
the M-step's ``p_w`` is the worker's expected share of correct answers with ``smoothing``
pseudo-answers at the pooled accuracy (a Beta prior toward the mean worker); stopping as
Dawid-Skene (``max_iter`` epochs or relative log-likelihood change < ``tol``).
"""

from __future__ import annotations

import numpy as np

from .common import (
    EPS,
    FloatArray,
    IntArray,
    TruthResult,
    anchor_log,
    class_sums,
    normalize_log,
    starting_posteriors,
)
from .encode import Encoded

__all__ = ["one_coin_dawid_skene", "coin_log_likelihood", "chosen_posterior", "skill_logs"]


def chosen_posterior(enc: Encoded, post: FloatArray) -> FloatArray:
    """Per answer: the posterior of the class the worker chose."""
    return np.asarray(np.ravel(post)[enc.label_task], dtype=np.float64)


def coin_log_likelihood(enc: Encoded, prior: FloatArray, log_right: FloatArray,
                        log_wrong: FloatArray) -> FloatArray:
    """log pi_k + sum over answers of (log_right if l = k else log_wrong), per answer arrays."""
    base = np.bincount(enc.tasks, weights=log_wrong, minlength=enc.n_tasks)
    out = class_sums(enc, log_right - log_wrong)
    out += base
    out += np.log(prior)[:, None]
    return out


def skill_logs(skill: FloatArray, k_cls: int) -> tuple[FloatArray, FloatArray]:
    p = np.clip(skill, EPS, 1.0 - EPS)
    return np.log(p), np.log((1.0 - p) / max(k_cls - 1, 1))


def one_coin_dawid_skene(
    enc: Encoded,
    gold: IntArray | None = None,
    *,
    max_iter: int = 20,
    tol: float = 1e-8,
    smoothing: float = 1.0,
) -> TruthResult:
    """Fit one-coin DS; state: ``prior`` (K,) and ``skill`` (W,)."""
    if max_iter < 1:
        raise ValueError("max_iter must be at least 1")
    post = starting_posteriors(enc, gold)
    n_w = np.bincount(enc.workers, minlength=enc.n_workers).astype(np.float64)
    prev = None
    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported)
        prior = np.clip(post.mean(axis=1), EPS, None)
        prior /= prior.sum()
        correct = np.bincount(enc.workers, weights=chosen_posterior(enc, post), minlength=enc.n_workers)
        pooled = float(correct.sum() / max(n_w.sum(), 1.0))
        skill = (correct + smoothing * pooled) / np.clip(n_w + smoothing, EPS, None)
        log_right, log_wrong = skill_logs(skill, enc.n_classes)
        log_lik = coin_log_likelihood(enc, prior, log_right[enc.workers], log_wrong[enc.workers])
        post, evidence = normalize_log(anchor_log(log_lik, gold))
        if prev is not None and abs(evidence - prev) <= tol * abs(prev):
            break
        prev = evidence
    return TruthResult("one-coin-dawid-skene", post, skill, iterations, evidence,
                       {"prior": prior, "skill": skill})
