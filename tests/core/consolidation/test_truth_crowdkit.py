"""Cross-check against crowd-kit (a test dependency only) on real datasets.

Same algorithm, same inputs, same answers:

* majority vote: identical labels wherever the vote has no tie (crowd-kit breaks ties its own way;
  ours follow the project's label order, then lexicographic);
* Dawid-Skene: crowd-kit starts from majority-vote shares, floors zero counts at a tiny epsilon
  and stops when its evidence bound stops growing (often after 2-5 iterations). Our
  ``dawid_skene`` with ``smoothing=0`` and the same number of epochs is the same computation, so
  labels must agree (>= 99%; in practice all) and posteriors to 1e-4. Our *default* differs on
  purpose (Ground Truth's smoothing toward the mean worker, up to 20 epochs): its figures are in
  bench/RESULTS.md.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from labelworks.core.consolidation.truth.ds import dawid_skene
from labelworks.core.consolidation.truth.encode import encode
from labelworks.core.consolidation.truth.mv import majority_vote
from shared_data import DATA as SHARED_DATA

DATA = SHARED_DATA
DATASETS = ["ti_bluebirds", "ti_snow_wsd", "ti_act_cf_amt", "ti_zheng_s_face"]

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="shared datasets not present")


@pytest.fixture(scope="module")
def crowdkit() -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("crowdkit.aggregation")


def _load(name: str):  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(DATA / name / "answers.csv", dtype=str)
    # the shared reference runs drop repeated (task, worker) rows keeping the first
    df = df.drop_duplicates(["task", "worker"], keep="first").reset_index(drop=True)
    enc = encode(df["task"].to_numpy(), df["worker"].to_numpy(), df["label"].to_numpy(), duplicates="first")
    return df, enc


@pytest.mark.parametrize("name", DATASETS)
def test_majority_vote_matches_where_there_is_no_tie(crowdkit: object, name: str) -> None:
    df, enc = _load(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = crowdkit.MajorityVote().fit_predict(df)  # type: ignore[attr-defined]
    result = majority_vote(enc)
    shares = np.sort(result.posteriors, axis=0)
    untied = shares[-1] > shares[-2]
    ours = np.asarray(enc.class_names)[result.labels]
    names = enc.task_names.astype(str)
    assert untied.sum() > 0.8 * enc.n_tasks
    assert all(theirs[t] == o for t, o, u in zip(names, ours, untied, strict=True) if u)


@pytest.mark.parametrize("name", DATASETS)
def test_dawid_skene_is_crowdkits_computation_with_its_stopping_point(crowdkit: object, name: str) -> None:
    df, enc = _load(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = crowdkit.DawidSkene(n_iter=100)  # type: ignore[attr-defined]
        theirs = model.fit_predict_proba(df)
    epochs = len(model.loss_history_)
    result = dawid_skene(enc, smoothing=0.0, max_iter=epochs, tol=0.0)
    names = enc.task_names.astype(str)
    theirs = theirs.reindex(index=names, columns=list(enc.class_names)).to_numpy().T
    ours_labels = result.labels
    same = float(np.mean(np.argmax(theirs, axis=0) == ours_labels))
    assert same >= 0.99
    # not to 1e-10: crowd-kit floors its posteriors at 1e-10 in place while computing its bound,
    # and that floor feeds its next M-step (up to ~2e-5 of difference on ti_act_cf_amt)
    assert np.allclose(result.posteriors, theirs, atol=1e-4)
