"""What every truth-inference algorithm shares: the result shape and vectorised sums.

Posteriors are held class-major, shape ``(n_classes, n_tasks)``, so that one class is a
contiguous row: ``post[k][tasks]`` gathers it for every answer and ``np.bincount`` scatters a
per-answer value back to tasks or workers. Loops run over classes and EM iterations only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .encode import Encoded

__all__ = ["EPS", "TruthResult", "normalize_log", "anchor_gold", "class_sums", "anchor_log",
           "starting_posteriors"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]

# floor for probabilities before a log (crowd-kit's value, so the cross-check can be exact)
EPS = 1e-10


@dataclass
class TruthResult:
    """One fit: posteriors ``(n_classes, n_tasks)``, per-worker accuracy, fitted parameters."""

    method: str
    posteriors: FloatArray
    worker_accuracy: FloatArray
    iterations: int = 0
    log_likelihood: float = float("nan")
    # fitted parameters, named per method (prior, confusion, skill, ...), as arrays
    state: Mapping[str, FloatArray] = field(default_factory=dict)

    @property
    def labels(self) -> npt.NDArray[np.intp]:
        """Most probable class per task; equal posteriors go to the lowest class index."""
        return np.asarray(np.argmax(self.posteriors, axis=0), dtype=np.intp)

    @property
    def confidence(self) -> FloatArray:
        """Largest posterior per task."""
        return np.asarray(np.max(self.posteriors, axis=0), dtype=np.float64)


def class_sums(enc: Encoded, weights: FloatArray | None = None) -> FloatArray:
    """``out[k, t]`` = sum of ``weights`` over task t's answers of class k (counts if None)."""
    flat = np.bincount(enc.label_task, weights=weights, minlength=enc.n_tasks * enc.n_classes)
    return np.asarray(flat.reshape(enc.n_classes, enc.n_tasks), dtype=np.float64)


def normalize_log(log_lik: FloatArray) -> tuple[FloatArray, float]:
    """Posteriors from unnormalised log-likelihoods ``(K, T)`` (in place) and the log evidence."""
    top = log_lik.max(axis=0)
    log_lik -= top
    np.exp(log_lik, out=log_lik)
    total = log_lik.sum(axis=0)
    log_lik /= total
    evidence = float(np.sum(np.log(total)) + np.sum(top))
    return log_lik, evidence


def anchor_gold(post: FloatArray, gold: IntArray | None) -> None:
    """Gold-anchored variants: known tasks' posteriors become one-hot on their gold class."""
    if gold is None:
        return
    known = np.flatnonzero(gold >= 0)
    if known.size:
        post[:, known] = 0.0
        post[gold[known], known] = 1.0


def anchor_log(log_lik: FloatArray, gold: IntArray | None, *, classes_first: bool = True) -> FloatArray:
    """Condition log-likelihoods on gold before normalising: other classes of a gold task get
    -inf, so its posterior is one-hot and the log evidence counts P(answers, gold class).
    ``classes_first``: layout ``(K, T)``; otherwise ``(T, K)``."""
    if gold is None:
        return log_lik
    known = np.flatnonzero(gold >= 0)
    if known.size:
        view = log_lik if classes_first else log_lik.T
        keep = view[gold[known], known].copy()
        view[:, known] = -np.inf
        view[gold[known], known] = keep
    return log_lik


def starting_posteriors(enc: Encoded, gold: IntArray | None) -> FloatArray:
    """Where EM starts: majority-vote shares, or, when gold items are given, a one-coin E-step
    with each worker's accuracy measured on the gold items.

    The second is what lets gold inform worker parameters from the first step: a crowd that is
    wrong together (adversaries, a shared misunderstanding) outvotes the truth under majority
    vote, and EM started there stays in that basin. Accuracy on gold is smoothed toward the
    pooled gold accuracy by two pseudo-answers, so a worker with no gold answers counts as the
    average one.
    """
    known = gold is not None and bool(np.any(gold >= 0))
    counts = class_sums(enc)
    if not known:
        total = counts.sum(axis=0)
        post = np.asarray(np.divide(counts, total, out=counts, where=total > 0), dtype=np.float64)
        anchor_gold(post, gold)
        return post
    assert gold is not None
    truth = gold[enc.tasks]
    on_gold = truth >= 0
    n = np.bincount(enc.workers[on_gold], minlength=enc.n_workers).astype(np.float64)
    right = np.bincount(enc.workers[on_gold], weights=(enc.labels[on_gold] == truth[on_gold]).astype(np.float64),
                        minlength=enc.n_workers)
    pooled = float(right.sum() / max(n.sum(), 1.0))
    acc = np.clip((right + 2.0 * pooled) / (n + 2.0), 0.01, 0.99)
    k_cls = max(enc.n_classes, 2)
    weight = np.log(acc * (k_cls - 1) / (1.0 - acc))
    post, _ = normalize_log(class_sums(enc, weight[enc.workers]))
    anchor_gold(post, gold)
    return post
