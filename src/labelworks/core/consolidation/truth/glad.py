"""GLAD (Whitehill et al. 2009): worker ability alpha and item difficulty beta.

P(worker w answers task t correctly) = sigmoid(alpha_w * beta_t), beta_t = exp(log_beta_t) > 0;
wrong answers are spread evenly over the other classes. EM from majority vote: the E-step is
exact, the M-step takes a few L-BFGS steps on the expected log-likelihood (gradients computed
with ``np.bincount``) under Gaussian priors alpha ~ N(1, 1), log beta ~ N(1, 1)
(crowd-kit's), and a uniform class prior.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_expit

from .common import (
    FloatArray,
    IntArray,
    TruthResult,
    anchor_log,
    normalize_log,
    starting_posteriors,
)
from .encode import Encoded
from .onecoin import chosen_posterior, coin_log_likelihood

__all__ = ["glad", "glad_logs"]


def glad_logs(x: FloatArray, k_cls: int) -> tuple[FloatArray, FloatArray]:
    """log P(right) and log P(a given wrong class) for logits x = alpha * beta."""
    return log_expit(x), log_expit(-x) - np.log(max(k_cls - 1, 1))


def glad(
    enc: Encoded,
    gold: IntArray | None = None,
    *,
    max_iter: int = 20,
    tol: float = 1e-8,
    m_steps: int = 25,
) -> TruthResult:
    """Fit GLAD; state: ``prior`` (K,), ``alpha`` (W,) (difficulties are per task and not kept)."""
    if max_iter < 1:
        raise ValueError("max_iter must be at least 1")
    n_w, n_t = enc.n_workers, enc.n_tasks
    post = starting_posteriors(enc, gold)
    params = np.concatenate([np.ones(n_w), np.ones(n_t)])
    # a fixed, uniform class prior (as the original and crowd-kit): estimating it lets EM
    # drift toward the majority class on small, unbalanced sets
    prior = np.full(enc.n_classes, 1.0 / enc.n_classes)
    prev = None

    def negative_q(theta: FloatArray, q: FloatArray) -> tuple[float, FloatArray]:
        alpha, log_beta = theta[:n_w], theta[n_w:]
        beta = np.exp(log_beta)
        x = alpha[enc.workers] * beta[enc.tasks]
        right, wrong = glad_logs(x, enc.n_classes)
        value = float(np.sum(q * right + (1.0 - q) * wrong))
        value -= 0.5 * float(np.sum((alpha - 1.0) ** 2) + np.sum((log_beta - 1.0) ** 2))
        resid = q - expit(x)
        g_alpha = np.bincount(enc.workers, weights=resid * beta[enc.tasks], minlength=n_w) - (alpha - 1.0)
        g_logb = np.bincount(enc.tasks, weights=resid * x, minlength=n_t) - (log_beta - 1.0)
        return -value, -np.concatenate([g_alpha, g_logb])

    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported)
        q = chosen_posterior(enc, post)
        params = minimize(negative_q, params, args=(q,), jac=True, method="L-BFGS-B",
                          options={"maxiter": m_steps}).x
        x = params[:n_w][enc.workers] * np.exp(params[n_w:])[enc.tasks]
        right, wrong = glad_logs(x, enc.n_classes)
        post, evidence = normalize_log(anchor_log(coin_log_likelihood(enc, prior, right, wrong), gold))
        if prev is not None and abs(evidence - prev) <= tol * abs(prev):
            break
        prev = evidence
    alpha = params[:n_w]
    # accuracy on a task of prior-mean difficulty (log beta = 1)
    accuracy = expit(alpha * np.e)
    return TruthResult("glad", post, np.asarray(accuracy, dtype=np.float64), iterations, evidence,
                       {"prior": prior, "alpha": alpha})
