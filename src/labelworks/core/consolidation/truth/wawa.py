"""Weighted majority votes whose weights are the workers' agreement with the crowd.

* Wawa (worker agreement with aggregate): one majority vote, then a vote weighted by each
  worker's agreement with it.
* Zero-based skill (ZBS): skills start at chance (1/K) and move toward each worker's agreement
  with the current weighted vote by a learning rate that halves every ``lr_every`` rounds
  (crowd-kit's schedule: 100 rounds, rate 1.0, halved every 20).
"""

from __future__ import annotations

import numpy as np

from .common import FloatArray, IntArray, TruthResult
from .encode import Encoded
from .mv import agreement, majority_vote

__all__ = ["wawa", "zero_based_skill"]


def _hard(post: FloatArray) -> FloatArray:
    out = np.zeros_like(post)
    out[np.argmax(post, axis=0), np.arange(post.shape[1])] = 1.0
    return out


def wawa(enc: Encoded, gold: IntArray | None = None) -> TruthResult:
    """Majority vote weighted by agreement with the plain majority vote."""
    skill = majority_vote(enc, gold).worker_accuracy
    result = majority_vote(enc, gold, weights=skill)
    return TruthResult("wawa", result.posteriors, skill, 1)


def zero_based_skill(enc: Encoded, gold: IntArray | None = None, *, n_iter: int = 100,
                     lr: float = 1.0, lr_every: int = 20, lr_factor: float = 0.5) -> TruthResult:
    """Skills learnt by moving toward agreement with the weighted vote."""
    skill = np.full(enc.n_workers, 1.0 / max(enc.n_classes, 1) + 1e-5)
    post = majority_vote(enc, gold, weights=skill).posteriors
    for step in range(1, n_iter + 1):
        if step % lr_every == 0:
            lr *= lr_factor
        post = majority_vote(enc, gold, weights=skill).posteriors
        skill = skill + lr * (agreement(enc, _hard(post)) - skill)
    post = majority_vote(enc, gold, weights=skill).posteriors
    return TruthResult("zero-based-skill", post, skill, n_iter)
