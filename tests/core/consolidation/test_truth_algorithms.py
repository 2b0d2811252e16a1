"""Truth inference on plain arrays: coding, tie-breaks, golden cases, gold anchoring, invariances."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.truth.common import TruthResult
from labelworks.core.consolidation.truth.ds import dawid_skene
from labelworks.core.consolidation.truth.encode import Encoded, encode, encode_gold
from labelworks.core.consolidation.truth.glad import glad
from labelworks.core.consolidation.truth.mace import mace
from labelworks.core.consolidation.truth.mv import majority_vote
from labelworks.core.consolidation.truth.onecoin import one_coin_dawid_skene
from labelworks.core.consolidation.truth.wawa import wawa, zero_based_skill

Method = Callable[..., TruthResult]
WORKER_MODELS: dict[str, Method] = {
    "dawid-skene": dawid_skene,
    "one-coin-dawid-skene": one_coin_dawid_skene,
    "glad": glad,
    "mace": mace,
}
ALL: dict[str, Method] = {"majority-vote": majority_vote, "wawa": wawa, "zero-based-skill": zero_based_skill,
                          **WORKER_MODELS}
FLIP = {"a": "b", "b": "a"}


def labels_of(enc: Encoded, result: TruthResult) -> dict[str, str]:
    return {str(t): enc.class_names[k] for t, k in zip(enc.task_names, result.labels, strict=True)}


def spammers_case() -> tuple[list[str], list[str], list[str], dict[str, str]]:
    """Two workers always answer "a"; three good ones err on disjoint items.

    On items 0, 2, 4, 6 (truth "b") one good worker errs, so "a" wins 3 to 2 under any vote, but
    a worker model sees that the spammers' "a" carries no information and follows the good ones.
    """
    tasks, workers, labels, truth = [], [], [], {}
    for i in range(30):
        item = f"i{i:02d}"
        truth[item] = "b" if i % 2 == 0 else "a"
        answers = {"S1": "a", "S2": "a", "G1": truth[item],
                   "G2": FLIP[truth[item]] if i in (0, 2) else truth[item],
                   "G3": FLIP[truth[item]] if i in (4, 6) else truth[item]}
        for worker, label in answers.items():
            tasks.append(item)
            workers.append(worker)
            labels.append(label)
    return tasks, workers, labels, truth


# ---- coding ----------------------------------------------------------------------------------
def test_encode_orders_classes_by_project_then_lexicographic_and_keeps_last_answer() -> None:
    enc = encode(["t1", "t1", "t2", "t1"], ["w1", "w2", "w1", "w1"], ["zeta", "beta", "alpha", "gamma"],
                 class_order=("gamma", "zeta", "unused"))
    assert enc.class_names == ("gamma", "zeta", "unused", "alpha", "beta")
    # w1 answered t1 twice: the last answer (gamma) is kept
    kept = sorted(zip(enc.task_names[enc.tasks].tolist(), enc.worker_names[enc.workers].tolist(),
                      [enc.class_names[k] for k in enc.labels], strict=True))
    assert kept == [("t1", "w1", "gamma"), ("t1", "w2", "beta"), ("t2", "w1", "alpha")]
    first = encode(["t1", "t1"], ["w1", "w1"], ["x", "y"], duplicates="first")
    assert [first.class_names[k] for k in first.labels] == ["x"]
    assert encode(["t1", "t1"], ["w1", "w1"], ["x", "y"], duplicates="all").n_answers == 2


def test_encode_integer_columns_take_the_fast_path() -> None:
    enc = encode(np.array([5, 5, 9]), np.array([0, 1, 0]), np.array([2, 10, 2]))
    assert enc.task_names.tolist() == [5, 9]
    assert enc.class_names == ("10", "2")  # lexicographic, as strings
    assert enc.labels.tolist() == [1, 0, 1]


def test_gold_must_name_a_class() -> None:
    enc = encode(["t1"], ["w1"], ["x"])
    assert encode_gold(enc, {"t1": "x", "elsewhere": "x"}).tolist() == [0]
    with pytest.raises(ValueError, match="gold label 'y' of item 't1'"):
        encode_gold(enc, {"t1": "y"})


# ---- majority vote ---------------------------------------------------------------------------
def test_majority_vote_ties_follow_project_order_then_lexicographic() -> None:
    enc = encode(["t", "t", "u", "u"], ["w1", "w2", "w1", "w2"], ["dog", "cat", "emu", "bee"],
                 class_order=("dog", "cat"))
    result = majority_vote(enc)
    # t: dog/cat tie -> dog (listed first); u: bee/emu tie, neither listed -> bee (lexicographic)
    assert labels_of(enc, result) == {"t": "dog", "u": "bee"}
    assert result.confidence.tolist() == [0.5, 0.5]


def test_majority_vote_shares_and_worker_agreement() -> None:
    enc = encode(["t"] * 3 + ["u"] * 3, ["w1", "w2", "w3"] * 2, ["a", "a", "b", "b", "b", "b"])
    result = majority_vote(enc)
    assert labels_of(enc, result) == {"t": "a", "u": "b"}
    assert result.confidence == pytest.approx([2 / 3, 1.0])
    assert result.worker_accuracy.tolist() == [1.0, 1.0, 0.5]


# ---- golden cases for the worker models ------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ALL))
def test_constant_spammers_fool_votes_but_not_worker_models(name: str) -> None:
    tasks, workers, labels, truth = spammers_case()
    enc = encode(tasks, workers, labels)
    result = ALL[name](enc)
    wrong = sorted(t for t, lab in labels_of(enc, result).items() if lab != truth[t])
    if name in WORKER_MODELS:
        assert wrong == []
        quality = dict(zip(enc.worker_names.tolist(), result.worker_accuracy.tolist(), strict=True))
        assert max(quality["S1"], quality["S2"]) < min(quality["G1"], quality["G2"], quality["G3"])
    else:
        assert wrong == ["i00", "i02", "i04", "i06"]
    assert np.allclose(result.posteriors.sum(axis=0), 1.0)


def test_dawid_skene_stops_at_twenty_epochs_or_converged_and_state_shapes() -> None:
    tasks, workers, labels, _ = spammers_case()
    enc = encode(tasks, workers, labels)
    result = dawid_skene(enc)
    assert 1 <= result.iterations <= 20
    assert result.state["confusion"].shape == (5, 2, 2)
    assert np.allclose(result.state["confusion"].sum(axis=1), 1.0)  # P(answer | truth) sums to 1
    assert result.state["prior"].sum() == pytest.approx(1.0)
    assert dawid_skene(enc, max_iter=3, tol=0.0).iterations == 3
    with pytest.raises(ValueError, match="max_iter"):
        dawid_skene(enc, max_iter=0)


def test_smoothing_pulls_a_two_answer_worker_toward_the_crowd() -> None:
    tasks, workers, labels, _ = spammers_case()
    tasks += ["i00", "i01"]
    workers += ["newbie", "newbie"]
    labels += ["a", "b"]  # both wrong
    enc = encode(tasks, workers, labels)
    plain = dawid_skene(enc, smoothing=0.0)
    smoothed = dawid_skene(enc, smoothing=1.0)
    newbie = int(np.flatnonzero(enc.worker_names == "newbie")[0])
    assert plain.worker_accuracy[newbie] < 0.01  # two answers are "proof" of a useless worker
    assert 0.2 < smoothed.worker_accuracy[newbie] < plain.worker_accuracy.max()


@pytest.mark.parametrize("name", sorted(WORKER_MODELS))
def test_gold_anchors_flip_a_crowd_of_adversaries(name: str) -> None:
    # three workers always give the wrong binary label, two always the right one: votes and an
    # unanchored EM settle on the flipped answer; three gold items teach the model who is who
    tasks, workers, labels, truth = [], [], [], {}
    for i in range(24):
        item = f"i{i:02d}"
        truth[item] = "ab"[i % 2]
        for worker in ("A1", "A2", "A3", "G1", "G2"):
            tasks.append(item)
            workers.append(worker)
            labels.append(FLIP[truth[item]] if worker.startswith("A") else truth[item])
    enc = encode(tasks, workers, labels)
    free = labels_of(enc, WORKER_MODELS[name](enc))
    assert all(free[t] != truth[t] for t in truth)
    gold = encode_gold(enc, {"i00": "a", "i01": "b", "i02": "a"})
    anchored = WORKER_MODELS[name](enc, gold)
    assert labels_of(enc, anchored) == truth
    assert anchored.posteriors[:, :3].max(axis=0).tolist() == [1.0, 1.0, 1.0]


def test_mace_is_reproducible_with_a_seed() -> None:
    tasks, workers, labels, _ = spammers_case()
    enc = encode(tasks, workers, labels)
    one, two = mace(enc, seed=3), mace(enc, seed=3)
    assert np.array_equal(one.posteriors, two.posteriors)


# ---- invariances (hypothesis) ----------------------------------------------------------------
answers_strategy = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 5), st.integers(0, 3)), min_size=4, max_size=60,
    unique_by=lambda a: (a[0], a[1]),
)


def _posterior_by_name(enc: Encoded, result: TruthResult) -> dict[tuple[str, str], float]:
    return {(str(t), c): float(result.posteriors[k, i])
            for i, t in enumerate(enc.task_names) for k, c in enumerate(enc.class_names)}


def _check_same(a: dict[tuple[str, str], float], b: dict[tuple[str, str], float]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], abs=1e-6)


def check_invariance(name: str, answers: list[tuple[int, int, int]], perm: list[int], seed: int) -> None:
    """Renaming classes (with the project order renamed alike) and shuffling answers and worker
    names leave every posterior where it was."""
    names = ["c0", "c1", "c2", "c3"]
    order = tuple(names)
    tasks = [f"t{t}" for t, _, _ in answers]
    workers = [f"w{w}" for _, w, _ in answers]
    labels = [names[y] for _, _, y in answers]
    base = encode(tasks, workers, labels, class_order=order)
    expected = _posterior_by_name(base, ALL[name](base))

    # rename every class by a permutation; the project's label order is renamed the same way,
    # so tie-breaks follow the renamed labels
    renamed = [f"k{perm[names.index(y)]}" for y in labels]
    new_order = tuple(f"k{perm[i]}" for i in range(4))
    enc = encode(tasks, workers, renamed, class_order=new_order)
    got = {(t, f"c{perm.index(int(c[1:]))}"): p for (t, c), p in _posterior_by_name(enc, ALL[name](enc)).items()}
    _check_same(expected, got)

    # shuffle the answers and rename the workers
    shuffle = np.random.default_rng(seed).permutation(len(answers))
    enc = encode([tasks[i] for i in shuffle], [f"x{workers[i]}" for i in shuffle], [labels[i] for i in shuffle],
                 class_order=order)
    _check_same(expected, _posterior_by_name(enc, ALL[name](enc)))


@settings(max_examples=25, deadline=None)
@given(answers=answers_strategy, perm=st.permutations(range(4)), seed=st.integers(0, 10_000))
@pytest.mark.parametrize("name", sorted(set(ALL) - {"glad"}))
def test_renaming_classes_and_reordering_answers_change_nothing(
    name: str, answers: list[tuple[int, int, int]], perm: list[int], seed: int
) -> None:
    check_invariance(name, answers, perm, seed)


# GLAD's M-step runs L-BFGS in every epoch (~0.1 s a fit even on tiny inputs): fewer examples
@settings(max_examples=8, deadline=None)
@given(answers=answers_strategy, perm=st.permutations(range(4)), seed=st.integers(0, 10_000))
def test_glad_is_invariant_too(answers: list[tuple[int, int, int]], perm: list[int], seed: int) -> None:
    check_invariance("glad", answers, perm, seed)


def test_public_surface_is_pinned() -> None:
    import labelworks.core.consolidation.truth as truth

    assert sorted(truth.__all__) == ["Encoded", "TruthResult", "dawid_skene", "encode", "encode_gold", "glad",
                                     "mace", "majority_vote", "one_coin_dawid_skene", "wawa", "zero_based_skill"]
    tasks, workers, labels, truth_of = spammers_case()
    enc = truth.encode(tasks, workers, labels)
    result = truth.dawid_skene(enc, truth.encode_gold(enc, {"i00": "b"}))
    assert enc.class_names[result.labels[0]] == truth_of["i00"] and result.confidence[0] == 1.0
