"""MACE (Hovy et al. 2013): each worker either knows the answer or spams from a favourite mix.

P(worker w answers l | true k) = theta_w [l = k] + (1 - theta_w) xi_w[l]: with probability
theta_w the worker gives the true class, otherwise a draw from their own spam distribution xi_w.
Fitted by EM (MAP with a Beta(a, b) prior on theta and a symmetric Dirichlet on xi, as the
original's priors) from ``restarts`` starting points: majority vote first, then random
posteriors drawn with ``seed`` (so the result is reproducible); the fit with the highest
log-likelihood wins. MACE assumes a uniform class prior, as the original.
"""

from __future__ import annotations

import numpy as np

from .common import (
    EPS,
    FloatArray,
    IntArray,
    TruthResult,
    anchor_gold,
    anchor_log,
    normalize_log,
    starting_posteriors,
)
from .encode import Encoded
from .onecoin import chosen_posterior, coin_log_likelihood

__all__ = ["mace", "mace_logs"]


def mace_logs(enc: Encoded, theta: FloatArray, xi: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per answer: log P(answer | it is the true class) and log P(answer | another class)."""
    t = theta[enc.workers]
    spam = xi.ravel()[enc.worker_label]
    wrong = (1.0 - t) * spam
    return np.log(np.clip(t + wrong, EPS, None)), np.log(np.clip(wrong, EPS, None))


def _run(enc: Encoded, post: FloatArray, gold: IntArray | None, max_iter: int, tol: float,
         a: float, b: float, c: float) -> tuple[FloatArray, FloatArray, FloatArray, float, int]:
    n_w, k_cls = enc.n_workers, enc.n_classes
    n_ans = np.bincount(enc.workers, minlength=n_w).astype(np.float64)
    prior = np.full(k_cls, 1.0 / k_cls)
    prev = None
    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported)
        if iterations == 1:
            # first M-step from the starting posteriors with an even theta split
            theta = np.full(n_w, 0.5)
            xi = np.full((n_w, k_cls), 1.0 / k_cls)
        right, wrong = mace_logs(enc, theta, xi)
        q = chosen_posterior(enc, post)
        # P(knew the answer) for one answer: the truth was its label and the worker did not spam
        knew = q * np.exp(np.log(np.clip(theta[enc.workers], EPS, None)) - right)
        spammed = 1.0 - knew
        theta = (np.bincount(enc.workers, weights=knew, minlength=n_w) + a - 1.0) / (n_ans + a + b - 2.0)
        theta = np.clip(theta, EPS, 1.0 - EPS)
        xi = np.bincount(enc.worker_label, weights=spammed, minlength=n_w * k_cls).reshape(n_w, k_cls) + (c - 1.0)
        xi = np.clip(xi, EPS, None)
        xi /= xi.sum(axis=1, keepdims=True)
        right, wrong = mace_logs(enc, theta, xi)
        post, evidence = normalize_log(anchor_log(coin_log_likelihood(enc, prior, right, wrong), gold))
        if prev is not None and abs(evidence - prev) <= tol * abs(prev):
            break
        prev = evidence
    return post, theta, xi, evidence, iterations


def mace(
    enc: Encoded,
    gold: IntArray | None = None,
    *,
    max_iter: int = 50,
    tol: float = 1e-8,
    restarts: int = 5,
    seed: int = 0,
    alpha: float = 2.0,
    beta: float = 2.0,
    spam_prior: float = 2.0,
) -> TruthResult:
    """Fit MACE; state: ``theta`` (W,) competence and ``xi`` (W, K) spam distributions."""
    if max_iter < 1:
        raise ValueError("max_iter must be at least 1")
    rng = np.random.default_rng(seed)
    best: tuple[FloatArray, FloatArray, FloatArray, float, int] | None = None
    for r in range(max(restarts, 1)):
        if r == 0:
            start = starting_posteriors(enc, gold)
        else:
            start = rng.dirichlet(np.ones(enc.n_classes), size=enc.n_tasks).T.copy()
            anchor_gold(start, gold)
        run = _run(enc, start, gold, max_iter, tol, alpha, beta, spam_prior)
        if best is None or run[3] > best[3] + 1e-9:
            best = run
    assert best is not None
    post, theta, xi, evidence, iterations = best
    k_cls = enc.n_classes
    # P(correct) = theta + (1 - theta) * P(spam draw hits the truth), truth ~ uniform
    accuracy = theta + (1.0 - theta) / k_cls
    return TruthResult("mace", post, np.asarray(accuracy, dtype=np.float64), iterations, evidence,
                       {"prior": np.full(k_cls, 1.0 / k_cls), "theta": theta, "xi": xi})
