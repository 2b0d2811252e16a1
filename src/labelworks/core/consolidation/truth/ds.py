"""Dawid-Skene by EM, as Ground Truth describes its text-classification consolidation.

Model: a class prior ``pi`` and, per worker, a confusion matrix ``theta[k, w, l]`` = P(worker w
answers l | true class k). EM starts from the majority-vote shares, then alternates

* M-step: ``pi`` = mean posterior; each worker's confusion rows are their expected answer counts
  plus ``smoothing`` pseudo-answers drawn from the *mean worker*: a Dirichlet prior whose row k
  puts the pooled accuracy ``a`` (expected correct answers / all answers, under the current
  posteriors) on l = k and ``(1 - a) / (K - 1)`` on every other class. A worker with few answers
  is pulled toward the crowd instead of a confusion matrix learnt from two answers;
* E-step: posteriors proportional to ``pi_k * prod_answers theta[k, w, l]``,

for at most ``max_iter`` epochs (20) or until the relative change of the log-likelihood of the
answers is below ``tol`` (1e-8). Confidence = the largest posterior. ``smoothing=0`` gives the
classic algorithm (crowd-kit's, which floors zero counts at a tiny epsilon).

Gold-anchored: tasks with a gold class keep a one-hot posterior throughout, so they inform the
prior and every confusion matrix but are never re-estimated.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .common import EPS, FloatArray, IntArray, TruthResult, anchor_log, starting_posteriors
from .encode import Encoded, flat_index

__all__ = ["dawid_skene", "DesignMatrices", "ds_m_step", "ds_log_likelihood", "ds_worker_accuracy",
           "normalize_rows"]


class DesignMatrices:
    """The answers as one sparse 0/1 matrix, rows ``worker * K + label``, columns tasks.

    Both EM steps are then sparse x dense products with K columns (scipy's C loops), instead of
    K gathers and K scatters over every answer: the M-step's expected counts are
    ``by_worker @ posteriors`` and the E-step's log-likelihoods ``by_task @ log_confusion``.
    """

    def __init__(self, enc: Encoded) -> None:
        ones = np.ones(enc.n_answers)
        shape = (enc.n_tasks, enc.n_workers * enc.n_classes)
        # the worker * K + label index is built here and dropped (not cached on ``enc``): the
        # matrix holds it from now on
        columns = enc.__dict__.get("worker_label")
        if columns is None:
            columns = flat_index(enc.workers, enc.n_classes, enc.labels, enc.n_workers)
        self.by_task = sparse.csr_matrix((ones, (enc.tasks, columns)), shape=shape)
        # the transpose of a CSR matrix is a CSC view of the same arrays: no second copy
        self.by_worker = self.by_task.T
        self.n_workers, self.n_classes, self.n_tasks = enc.n_workers, enc.n_classes, enc.n_tasks
        self.n_answers = enc.n_answers

    def vote_shares(self) -> FloatArray:
        """Majority-vote shares ``(T, K)`` straight from the matrix (no transposed copy)."""
        pick_label = np.tile(np.eye(self.n_classes), (self.n_workers, 1))
        counts = np.asarray(self.by_task @ pick_label, dtype=np.float64)
        counts /= np.clip(counts.sum(axis=1, keepdims=True), 1.0, None)
        return counts


def ds_m_step(design: DesignMatrices, post: FloatArray, smoothing: float) -> tuple[FloatArray, FloatArray]:
    """Prior ``(K,)`` and confusion ``(W, K_observed, K_true)`` from posteriors ``(T, K)``."""
    k_cls, n_w = design.n_classes, design.n_workers
    counts = np.asarray(design.by_worker @ post).reshape(n_w, k_cls, k_cls)
    prior = np.clip(post.mean(axis=0), EPS, None)
    prior /= prior.sum()
    if smoothing > 0 and k_cls > 1:
        correct = float(np.einsum("wkk->", counts))
        acc = min(max(correct / max(design.n_answers, 1), EPS), 1.0 - EPS)
        mean_matrix = np.full((k_cls, k_cls), (1.0 - acc) / (k_cls - 1))
        np.fill_diagonal(mean_matrix, acc)
        counts += smoothing * mean_matrix
    np.clip(counts, EPS, None, out=counts)
    counts /= counts.sum(axis=1, keepdims=True)
    return prior, counts


def ds_log_likelihood(design: DesignMatrices, prior: FloatArray, confusion: FloatArray) -> FloatArray:
    """Unnormalised log posterior ``(T, K)``: log pi_k + sum over answers of log P(l | k, w)."""
    table = np.log(confusion).reshape(design.n_workers * design.n_classes, design.n_classes)
    out = np.asarray(design.by_task @ table)
    out += np.log(prior)
    return out


def normalize_rows(log_lik: FloatArray) -> tuple[FloatArray, float]:
    """Posteriors ``(T, K)`` from log-likelihoods (in place) and the log evidence.

    Reductions run as K column operations: numpy's reduction along a short last axis is
    about twice as slow on a million rows.
    """
    cols = log_lik.T
    top = cols[0].copy()
    for k in range(1, cols.shape[0]):
        np.maximum(top, cols[k], out=top)
    log_lik -= top[:, None]
    np.exp(log_lik, out=log_lik)
    total = cols[0].copy()
    for k in range(1, cols.shape[0]):
        total += cols[k]
    log_lik *= (1.0 / total)[:, None]
    return log_lik, float(np.sum(np.log(total)) + np.sum(top))


def ds_worker_accuracy(prior: FloatArray, confusion: FloatArray) -> FloatArray:
    """P(correct) per worker on an item drawn from the prior: sum_k pi_k P(k | k, w)."""
    diag = np.einsum("wkk->wk", confusion)
    return np.asarray(diag @ prior, dtype=np.float64)


def dawid_skene(
    enc: Encoded,
    gold: IntArray | None = None,
    *,
    max_iter: int = 20,
    tol: float = 1e-8,
    smoothing: float = 1.0,
) -> TruthResult:
    """Fit Dawid-Skene. State: ``prior`` (K,) and ``confusion`` (W, K_observed, K_true), i.e.
    ``confusion[w, l, k]`` = P(worker w answers l | true class k)."""
    if max_iter < 1:
        raise ValueError("max_iter must be at least 1")
    design = DesignMatrices(enc)
    if gold is not None and bool(np.any(gold >= 0)):
        post = np.ascontiguousarray(starting_posteriors(enc, gold).T)  # (T, K): rows for the sparse products
    else:
        post = design.vote_shares()
    prev = None
    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported)
        prior, confusion = ds_m_step(design, post, smoothing)
        del post  # frees T x K floats before the E-step allocates the next ones
        post, evidence = normalize_rows(anchor_log(ds_log_likelihood(design, prior, confusion), gold,
                                                   classes_first=False))
        if prev is not None and abs(evidence - prev) <= tol * abs(prev):
            break
        prev = evidence
    return TruthResult("dawid-skene", post.T, ds_worker_accuracy(prior, confusion),
                       iterations, evidence, {"prior": prior, "confusion": confusion})
