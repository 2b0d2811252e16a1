"""The truth-inference algorithms as registered consolidators (value kinds ``label`` and ``labels``).

``fit`` codes the answers (a worker's last answer per item wins), runs the algorithm and returns
one :class:`Consolidated` per item: the most probable label, its posterior as the confidence
(rounded to 4 places; 0.0 when a single worker answered, as Ground Truth), the posterior of every
label in ``confidence_map``, and each worker's estimated accuracy. ``state`` keeps the fitted
parameters as JSON-safe lists so that ``update`` can run the E-step alone for a few items:
workers the fit never saw are given the mean worker.

Multi-label answers (``labels``) are one binary problem per project label ("chosen" or not, with
the same algorithm); a label is kept when its posterior is above one half, ``confidence_map``
holds the kept labels' posteriors and ``confidence`` is the least certain of all the per-label
decisions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ...tasktypes.base import ProjectSpec
from ..base import Answer, Consolidated, Consolidator, Fit
from .common import EPS, FloatArray, TruthResult, anchor_gold, normalize_log
from .ds import DesignMatrices, dawid_skene, ds_log_likelihood, normalize_rows
from .encode import Encoded, encode, encode_binary_columns, encode_gold
from .glad import glad, glad_logs
from .mace import mace, mace_logs
from .mv import majority_vote
from .onecoin import coin_log_likelihood, one_coin_dawid_skene, skill_logs
from .wawa import wawa, zero_based_skill

__all__ = [
    "CATEGORICAL",
    "TruthConsolidator",
    "MajorityVote",
    "DawidSkene",
    "OneCoinDawidSkene",
    "Glad",
    "Mace",
    "Wawa",
    "ZeroBasedSkill",
]

NOT_CHOSEN, CHOSEN = "0", "1"


def _round(x: float) -> float:
    return round(float(x), 4)


def _as_lists(state: Mapping[str, FloatArray]) -> dict[str, Any]:
    return {key: np.asarray(value).tolist() for key, value in state.items()}


class TruthConsolidator(Consolidator):
    """Shared fit/update over one algorithm function ``run(enc, gold_codes, **params)``."""

    value_kinds = frozenset({"label", "labels"})
    worker_model = True  # worker parameters come from a fit over the whole project

    def run(self, enc: Encoded, gold: npt.NDArray[np.int32] | None, params: Mapping[str, Any]) -> TruthResult:
        raise NotImplementedError

    def e_step(self, enc: Encoded, state: Mapping[str, Any], params: Mapping[str, Any]) -> FloatArray:
        """Posteriors ``(K, T)`` from a fitted ``state``; worker codes index the state's workers,
        the code ``len(workers)`` standing for the mean worker."""
        return self.run(enc, None, params).posteriors

    # ---- fit -----------------------------------------------------------------------------
    def fit(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Fit:
        merged = self.params(params)
        if spec.multi_label:
            return self._fit_multi(answers, spec, merged, gold)
        items, workers, labels = _single_columns(answers)
        gold_labels = {item: str(v["label"]) for item, v in (gold or {}).items() if "label" in v}
        if not items:
            return Fit(self.name, merged, {})
        enc = encode(items, workers, labels, class_order=spec.labels.labels,
                     extra_classes=sorted(set(gold_labels.values())))
        result = self.run(enc, encode_gold(enc, gold_labels) if gold_labels else None, merged)
        results = _single_results(enc, result.posteriors, self.name)
        quality = {str(w): _round(a) for w, a in zip(enc.worker_names, result.worker_accuracy, strict=True)}
        state = {"method": self.name, "classes": list(enc.class_names),
                 "workers": [str(w) for w in enc.worker_names], **_as_lists(result.state)}
        return Fit(self.name, merged, results, quality, state, result.iterations)

    def _fit_multi(self, answers: Sequence[Answer], spec: ProjectSpec, params: dict[str, Any],
                   gold: Mapping[str, Mapping[str, Any]] | None) -> Fit:
        items, workers, chosen = _multi_columns(answers)
        if not items:
            return Fit(self.name, params, {})
        names = list(dict.fromkeys([*spec.labels.labels, *sorted(set().union(*chosen) - set(spec.labels.labels))]))
        base, columns = encode_binary_columns(items, workers, chosen, names, classes=(NOT_CHOSEN, CHOSEN))
        per_label: dict[str, Any] = {}
        posts: dict[str, FloatArray] = {}
        quality_sum: dict[str, float] = {}
        iterations = 0
        for name in names:
            enc = _with_labels(base, columns[name])
            result = self.run(enc, _binary_gold(enc, gold, name), params)
            posts[name] = result.posteriors[1]
            per_label[name] = _as_lists(result.state)
            iterations = max(iterations, result.iterations)
            for w, acc in zip(enc.worker_names, result.worker_accuracy, strict=True):
                quality_sum[str(w)] = quality_sum.get(str(w), 0.0) + float(acc)
        results = _multi_results(base, names, posts, self.name, spec.labels.exclusion)
        quality = {w: _round(total / len(names)) for w, total in quality_sum.items()}
        state = {"method": self.name, "labels": names, "workers": [str(w) for w in base.worker_names],
                 "per_label": per_label}
        return Fit(self.name, params, results, quality, state, iterations)

    # ---- update --------------------------------------------------------------------------
    def update(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        state: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Consolidated]:
        merged = self.params(params)
        shape = "labels" if spec.multi_label else "classes"
        if not state.get("workers") or state.get("method") != self.name or shape not in state:
            # no usable fit (none yet, another method's, or single- vs multi-label changed)
            return self.fit(answers, spec, merged, gold).results
        if spec.multi_label:
            return self._update_multi(answers, spec, merged, state, gold)
        items, workers, labels = _single_columns(answers)
        classes = tuple(state["classes"])
        gold_labels = {item: str(v["label"]) for item, v in (gold or {}).items() if "label" in v}
        if set(labels) - set(classes) or set(gold_labels.values()) - set(classes):
            # a label the fit never saw has no parameters: answer these items on their own
            return self.fit(answers, spec, merged, gold).results
        if not items:
            return {}
        enc = _encode_for_state(items, workers, labels, classes, state["workers"])
        post = self.e_step(enc, state, merged)
        anchor_gold(post, encode_gold(enc, gold_labels) if gold_labels else None)
        return _single_results(enc, post, self.name)

    def _update_multi(self, answers: Sequence[Answer], spec: ProjectSpec, params: dict[str, Any],
                      state: Mapping[str, Any], gold: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Consolidated]:
        items, workers, chosen = _multi_columns(answers)
        names = list(state["labels"])
        if set().union(*chosen) - set(names):
            return self.fit(answers, spec, params, gold).results
        if not items:
            return {}
        coded, columns = encode_binary_columns(items, workers, chosen, names, classes=(NOT_CHOSEN, CHOSEN))
        base = _against_state(coded, state["workers"])
        posts: dict[str, FloatArray] = {}
        for name in names:
            enc = _with_labels(base, columns[name])
            post = self.e_step(enc, state["per_label"][name], params)
            anchor_gold(post, _binary_gold(enc, gold, name))
            posts[name] = post[1]
        return _multi_results(base, names, posts, self.name, spec.labels.exclusion)


# ---- helpers ---------------------------------------------------------------------------------
def _single_columns(answers: Sequence[Answer]) -> tuple[list[str], list[str], list[str]]:
    kept = [a for a in answers if "label" in a.value]
    return [a.item for a in kept], [a.worker for a in kept], [str(a.value["label"]) for a in kept]


def _multi_columns(answers: Sequence[Answer]) -> tuple[list[str], list[str], list[set[str]]]:
    kept = [a for a in answers if "labels" in a.value]
    return [a.item for a in kept], [a.worker for a in kept], [set(a.value["labels"]) for a in kept]


def _with_labels(base: Encoded, column: npt.NDArray[np.int32]) -> Encoded:
    """One label's binary answers on the shared task and worker codes."""
    return Encoded(base.tasks, base.workers, column, base.task_names, base.worker_names, base.class_names)


def _binary_gold(enc: Encoded, gold: Mapping[str, Mapping[str, Any]] | None, name: str) -> npt.NDArray[np.int32] | None:
    gold_bin = {i: CHOSEN if name in v["labels"] else NOT_CHOSEN for i, v in (gold or {}).items() if "labels" in v}
    return encode_gold(enc, gold_bin) if gold_bin else None


def _encode_for_state(items: list[str], workers: list[str], labels: list[str], classes: Sequence[str],
                      fitted_workers: Sequence[str]) -> Encoded:
    """Code answers against a fitted state: worker codes are the state's, unknown ones = len(state)."""
    return _against_state(encode(items, workers, labels, class_order=classes), fitted_workers)


def _against_state(base: Encoded, fitted_workers: Sequence[str]) -> Encoded:
    """Worker codes renumbered to a fitted state's (a worker it never saw = the mean worker)."""
    index = {w: i for i, w in enumerate(fitted_workers)}
    mean = len(fitted_workers)
    remap = np.asarray([index.get(str(w), mean) for w in base.worker_names], dtype=np.int32)
    w_codes = remap[base.workers]
    names = np.asarray([*fitted_workers, "<mean worker>"], dtype=object)
    return Encoded(base.tasks, w_codes, base.labels, base.task_names, names, base.class_names)


def _single_results(enc: Encoded, post: FloatArray, method: str) -> dict[str, Consolidated]:
    votes = enc.answers_per_task().tolist()
    best = np.argmax(post, axis=0).tolist()
    # rounded once, as Python floats: the loop below only builds the per-item objects
    rows = np.round(post, 4).T.tolist()
    classes = enc.class_names
    out: dict[str, Consolidated] = {}
    for item, n, k, row in zip(enc.task_names.tolist(), votes, best, rows, strict=True):
        out[str(item)] = Consolidated(
            value={"label": classes[k]},
            confidence=0.0 if n <= 1 else row[k],
            confidence_map={classes[c]: p for c, p in enumerate(row) if p > 0.0},
            votes=n,
            method=method,
        )
    return out


def _multi_results(enc: Encoded, names: list[str], posts: Mapping[str, FloatArray],
                   method: str, exclusion: str | None = None) -> dict[str, Consolidated]:
    """Each label decided on its own (P > 0.5). An exclusion category ("None of the above") is
    never kept beside another label: it alone when its probability beats every other kept one's,
    else it is dropped."""
    votes = enc.answers_per_task()
    matrix = np.vstack([posts[n] for n in names])  # (labels, tasks): P(label chosen)
    decision = np.maximum(matrix, 1.0 - matrix).min(axis=0)
    position = {name: i for i, name in enumerate(names)}
    chosen = matrix > 0.5
    out: dict[str, Consolidated] = {}
    for t, item in enumerate(enc.task_names):
        n = int(votes[t])
        kept = [names[i] for i in np.flatnonzero(chosen[:, t]).tolist()]
        if exclusion in kept and len(kept) > 1:
            p_excl = matrix[position[exclusion], t]
            others = [name for name in kept if name != exclusion]
            kept = [exclusion] if p_excl > max(matrix[position[o], t] for o in others) else others
        conf_map = {name: 0.0 if n <= 1 else _round(matrix[position[name], t]) for name in kept}
        out[str(item)] = Consolidated(
            value={"labels": kept},
            confidence=0.0 if n <= 1 else _round(decision[t]),
            confidence_map=conf_map,
            votes=n,
            method=method,
        )
    return out


def _with_mean(rows: FloatArray) -> FloatArray:
    """Append the mean worker (mean over the first axis) as one more row."""
    return np.concatenate([rows, rows.mean(axis=0, keepdims=True)], axis=0)


# ---- the algorithms --------------------------------------------------------------------------
_SMALL = 64  # answers below which majority vote is counted in plain Python


def _small_majority(answers: Sequence[Answer], spec: ProjectSpec, method: str) -> dict[str, Consolidated]:
    """The same results as ``fit`` for single-label answers (a property test holds them equal)."""
    by_item: dict[str, list[str]] = {}
    for a in answers:
        label = a.value.get("label")
        if label is not None:
            by_item.setdefault(a.item, []).append(str(label))
    known = set(spec.labels.labels)
    extra = sorted({lab for labels in by_item.values() for lab in labels} - known)
    classes = [*spec.labels.labels, *extra]
    index = {c: i for i, c in enumerate(classes)}
    out: dict[str, Consolidated] = {}
    for item, labels in by_item.items():
        counts = [0] * len(classes)
        for lab in labels:
            counts[index[lab]] += 1
        n = len(labels)
        best = max(range(len(classes)), key=lambda c: (counts[c], -c))  # ties: the first class
        shares = np.round(np.asarray(counts, dtype=np.float64) / n, 4).tolist()
        out[item] = Consolidated(
            value={"label": classes[best]},
            confidence=0.0 if n <= 1 else shares[best],
            confidence_map={classes[c]: p for c, p in enumerate(shares) if p > 0.0},
            votes=n,
            method=method,
        )
    return out


class MajorityVote(TruthConsolidator):
    name = "majority-vote"
    worker_model = False  # one item at a time: nothing to refit
    title = "Majority vote"
    defaults: Mapping[str, Any] = {}

    def run(self, enc: Encoded, gold: npt.NDArray[np.int32] | None, params: Mapping[str, Any]) -> TruthResult:
        return majority_vote(enc, gold)

    def update(self, answers: Sequence[Answer], spec: ProjectSpec, params: Mapping[str, Any],
               state: Mapping[str, Any], gold: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Consolidated]:
        # one item at a time: refitting the given items is exact. The submit path re-answers one item
        # with a handful of answers, where plain Python beats building the numpy encoding (~5x).
        if not spec.multi_label and not gold and len(answers) <= _SMALL:
            return _small_majority(answers, spec, self.name)
        return self.fit(answers, spec, params, gold).results


class DawidSkene(TruthConsolidator):
    name = "dawid-skene"
    title = "Dawid-Skene (EM, Ground Truth's variant)"
    defaults: Mapping[str, Any] = {"max_iter": 20, "tol": 1e-8, "smoothing": 1.0}

    def run(self, enc: Encoded, gold: npt.NDArray[np.int32] | None, params: Mapping[str, Any]) -> TruthResult:
        return dawid_skene(enc, gold, max_iter=int(params["max_iter"]), tol=float(params["tol"]),
                           smoothing=float(params["smoothing"]))

    def e_step(self, enc: Encoded, state: Mapping[str, Any], params: Mapping[str, Any]) -> FloatArray:
        confusion = _with_mean(np.asarray(state["confusion"], dtype=np.float64))
        prior = np.asarray(state["prior"], dtype=np.float64)
        post, _ = normalize_rows(ds_log_likelihood(DesignMatrices(enc), prior, confusion))
        return np.ascontiguousarray(post.T)


class OneCoinDawidSkene(TruthConsolidator):
    name = "one-coin-dawid-skene"
    title = "One-coin Dawid-Skene"
    defaults: Mapping[str, Any] = {"max_iter": 20, "tol": 1e-8, "smoothing": 1.0}

    def run(self, enc: Encoded, gold: npt.NDArray[np.int32] | None, params: Mapping[str, Any]) -> TruthResult:
        return one_coin_dawid_skene(enc, gold, max_iter=int(params["max_iter"]), tol=float(params["tol"]),
                                    smoothing=float(params["smoothing"]))

    def e_step(self, enc: Encoded, state: Mapping[str, Any], params: Mapping[str, Any]) -> FloatArray:
        skill = _with_mean(np.asarray(state["skill"], dtype=np.float64))
        right, wrong = skill_logs(skill, enc.n_classes)
        prior = np.asarray(state["prior"], dtype=np.float64)
        return normalize_log(coin_log_likelihood(enc, prior, right[enc.workers], wrong[enc.workers]))[0]


class Glad(TruthConsolidator):
    name = "glad"
    title = "GLAD (worker ability and item difficulty)"
    defaults: Mapping[str, Any] = {"max_iter": 20, "tol": 1e-8}

    def run(self, enc: Encoded, gold: npt.NDArray[np.int32] | None, params: Mapping[str, Any]) -> TruthResult:
        return glad(enc, gold, max_iter=int(params["max_iter"]), tol=float(params["tol"]))

    def e_step(self, enc: Encoded, state: Mapping[str, Any], params: Mapping[str, Any]) -> FloatArray:
        alpha = _with_mean(np.asarray(state["alpha"], dtype=np.float64))
        # new items: difficulty at its prior mean (log beta = 1)
        right, wrong = glad_logs(alpha[enc.workers] * np.e, enc.n_classes)
        prior = np.asarray(state["prior"], dtype=np.float64)
        return normalize_log(coin_log_likelihood(enc, prior, right, wrong))[0]


class Mace(TruthConsolidator):
    name = "mace"
    title = "MACE (competence and spamming)"
    defaults: Mapping[str, Any] = {"max_iter": 50, "tol": 1e-8, "restarts": 5, "seed": 0}

    def run(self, enc: Encoded, gold: npt.NDArray[np.int32] | None, params: Mapping[str, Any]) -> TruthResult:
        return mace(enc, gold, max_iter=int(params["max_iter"]), tol=float(params["tol"]),
                    restarts=int(params["restarts"]), seed=int(params["seed"]))

    def e_step(self, enc: Encoded, state: Mapping[str, Any], params: Mapping[str, Any]) -> FloatArray:
        theta = _with_mean(np.asarray(state["theta"], dtype=np.float64))
        xi = _with_mean(np.asarray(state["xi"], dtype=np.float64))
        right, wrong = mace_logs(enc, theta, np.clip(xi, EPS, None))
        prior = np.asarray(state["prior"], dtype=np.float64)
        return normalize_log(coin_log_likelihood(enc, prior, right, wrong))[0]


class _WeightedVote(TruthConsolidator):
    """State: one vote weight per worker; the mean worker gets the mean weight."""

    def e_step(self, enc: Encoded, state: Mapping[str, Any], params: Mapping[str, Any]) -> FloatArray:
        weights = _with_mean(np.asarray(state["weight"], dtype=np.float64))
        return majority_vote(enc, weights=weights).posteriors


class Wawa(_WeightedVote):
    name = "wawa"
    title = "Wawa (vote weighted by agreement with the majority)"
    defaults: Mapping[str, Any] = {}

    def run(self, enc: Encoded, gold: npt.NDArray[np.int32] | None, params: Mapping[str, Any]) -> TruthResult:
        result = wawa(enc, gold)
        result.state = {"weight": result.worker_accuracy}
        return result


class ZeroBasedSkill(_WeightedVote):
    name = "zero-based-skill"
    title = "Zero-based skill (vote weighted by learnt agreement)"
    defaults: Mapping[str, Any] = {"n_iter": 100}

    def run(self, enc: Encoded, gold: npt.NDArray[np.int32] | None, params: Mapping[str, Any]) -> TruthResult:
        result = zero_based_skill(enc, gold, n_iter=int(params["n_iter"]))
        result.state = {"weight": result.worker_accuracy}
        return result


CATEGORICAL: list[Consolidator] = [
    MajorityVote(), DawidSkene(), OneCoinDawidSkene(), Glad(), Mace(), Wawa(), ZeroBasedSkill(),
]
