"""Majority vote over integer-coded answers: vote shares as posteriors."""

from __future__ import annotations

import numpy as np

from .common import FloatArray, IntArray, TruthResult, anchor_gold, class_sums
from .encode import Encoded

__all__ = ["majority_vote", "agreement"]


def agreement(enc: Encoded, post: FloatArray) -> FloatArray:
    """Per worker: the mean posterior of the classes they chose (their expected accuracy)."""
    chosen = np.ravel(post)[enc.label_task] if enc.n_answers else np.zeros(0)
    n = np.bincount(enc.workers, minlength=enc.n_workers)
    hit = np.bincount(enc.workers, weights=chosen, minlength=enc.n_workers)
    return np.divide(hit, n, out=np.zeros(enc.n_workers), where=n > 0)


def majority_vote(enc: Encoded, gold: IntArray | None = None,
                  weights: FloatArray | None = None) -> TruthResult:
    """Vote shares per task (optionally weighted per worker).

    Ties go to the lowest class index, i.e. the project's label order, then lexicographic
    (``argmax`` on the class order ``encode`` fixed). Worker accuracy is the share of each
    worker's answers that equal the majority answer.
    """
    counts = class_sums(enc, None if weights is None else weights[enc.workers])
    total = counts.sum(axis=0)
    post = np.divide(counts, total, out=counts, where=total > 0)
    anchor_gold(post, gold)
    winner = np.argmax(post, axis=0).astype(np.int32)
    agreeing = enc.workers[winner[enc.tasks] == enc.labels]  # int32 throughout: no 3M-float temporaries
    n = np.bincount(enc.workers, minlength=enc.n_workers)
    agree = np.bincount(agreeing, minlength=enc.n_workers).astype(np.float64)
    accuracy = np.divide(agree, n, out=np.zeros(enc.n_workers), where=n > 0)
    return TruthResult("majority-vote", post, accuracy)
