"""``labelworks aggregate``: categorical files, gold, duplicates, pairwise files, errors, real datasets."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result
from shared_data import DATA as SHARED_DATA

Cli = Callable[..., Result]

DATA = SHARED_DATA


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_majority_vote_with_ties_single_answers_and_a_revision(cli: Cli, tmp_path: Path) -> None:
    labels = write(tmp_path / "labels.csv", "task,worker,label,extra\n"
                   "t1,w1,dog,x\nt1,w2,cat,x\n"        # tie: lexicographic, so cat
                   "t2,w1,dog,x\nt2,w2,dog,x\nt2,w3,cat,x\n"
                   "t3,w1,emu,x\n"                     # a single answer: confidence 0
                   "t4,w1,cat,x\nt4,w2,dog,x\nt4,w1,dog,x\n")  # w1 revised t4: the last answer counts
    out = tmp_path / "out.csv"
    result = cli("aggregate", str(labels), "--method", "mv", "-o", str(out))
    assert read_csv(out) == [
        {"item": "t1", "label": "cat", "confidence": "0.5000"},
        {"item": "t2", "label": "dog", "confidence": "0.6667"},
        {"item": "t3", "label": "emu", "confidence": "0.0000"},
        {"item": "t4", "label": "dog", "confidence": "1.0000"},
    ]
    assert "1 repeated (item, worker) answers dropped (kept the last of each)" in result.stderr
    assert "estimated worker accuracy" in result.stderr
    cli("aggregate", str(labels), "--method", "mv", "-o", str(out), "--duplicates", "first")
    assert read_csv(out)[3] == {"item": "t4", "label": "cat", "confidence": "0.5000"}


def test_gold_and_workers_out(cli: Cli, tmp_path: Path) -> None:
    rows = ["item,worker,label"]
    for i in range(12):
        truth = "ab"[i % 2]
        flip = "ba"[i % 2]
        rows += [f"i{i},A1,{flip}", f"i{i},A2,{flip}", f"i{i},A3,{flip}", f"i{i},H1,{truth}", f"i{i},H2,{truth}"]
    labels = write(tmp_path / "labels.csv", "\n".join(rows) + "\n")
    gold = write(tmp_path / "gold.csv", "task,truth\ni0,a\ni1,b\ni2,a\nnot-answered,b\n")
    out, workers = tmp_path / "out.csv", tmp_path / "workers.csv"
    result = cli("aggregate", str(labels), "--method", "ds", "--gold", str(gold), "-o", str(out),
                 "--workers-out", str(workers))
    answers = {r["item"]: r["label"] for r in read_csv(out)}
    assert answers == {f"i{i}": "ab"[i % 2] for i in range(12)}
    accuracy = {r["worker"]: float(r["accuracy"]) for r in read_csv(workers)}
    assert max(accuracy["A1"], accuracy["A2"], accuracy["A3"]) < 0.5 < min(accuracy["H1"], accuracy["H2"])
    assert "4 gold labels read" in result.stderr


def test_method_parameters(cli: Cli, tmp_path: Path) -> None:
    labels = write(tmp_path / "labels.csv", "item,worker,label\nx,w1,a\nx,w2,a\ny,w1,b\ny,w2,a\n")
    result = cli("aggregate", str(labels), "--method", "ds", "-p", "smoothing=0", "--param", "max_iter=3", "-p", "tol=0")
    assert "dawid-skene (max_iter=3, tol=0, smoothing=0)," in " ".join(result.stderr.split())
    result = cli("aggregate", str(labels), "--method", "ds", "-p", "epochs=3", code=2)
    assert "dawid-skene has no parameter 'epochs' (known: max_iter, smoothing, tol)" in result.stderr
    result = cli("aggregate", str(labels), "--method", "mv", "-p", "oops", code=2)
    assert "--param 'oops': expected KEY=VALUE" in result.stderr


def test_output_to_standard_output(cli: Cli, tmp_path: Path) -> None:
    labels = write(tmp_path / "labels.tsv", "item\tworker\tlabel\nx\tw1\tyes\nx\tw2\tyes\n")
    result = cli("aggregate", str(labels), "--method", "glad")
    assert result.stdout.splitlines() == ["item,label,confidence", "x,yes,1.0000"]


@pytest.mark.parametrize(("text", "message"), [
    ("task,who,label\n1,a,x\n", "no worker column 'worker' (columns: label, task, who)"),
    ("item,worker,label\n1,a,x\n2,b,\n", "line 3: empty 'label'"),
    ("", "empty file"),
    ("item,worker,label\n", "no rows"),
])
def test_bad_input_names_the_line_or_column(cli: Cli, tmp_path: Path, text: str, message: str) -> None:
    labels = write(tmp_path / "bad.csv", text)
    result = cli("aggregate", str(labels), code=2)
    assert message in " ".join(result.stderr.split())


def test_pairwise_scores_sum_to_one_with_ties_and_bootstrap(cli: Cli, tmp_path: Path) -> None:
    pairs = write(tmp_path / "pairs.csv", "id,left,right,winner\n"
                  "1,a,b,left\n2,a,b,tie\n3,b,c,left\n4,c,b,right\n5,a,c,left\n6,c,a,left\n")
    out = tmp_path / "scores.csv"
    cli("aggregate", str(pairs), "--method", "bt", "-o", str(out), "--bootstrap", "50")
    rows = read_csv(out)
    assert [r["item"] for r in rows] == ["a", "b", "c"]
    # a and b both won 2.5 of their 4 games against the same opponents: equal scores share rank 1
    assert [r["rank"] for r in rows] == ["1", "1", "3"]
    assert float(rows[0]["score"]) == pytest.approx(3 / 7) and float(rows[2]["score"]) == pytest.approx(1 / 7)
    assert sum(float(r["score"]) for r in rows) == pytest.approx(1.0)
    for r in rows:
        assert float(r["ci_low"]) <= float(r["score"]) <= float(r["ci_high"])
    bad = write(tmp_path / "bad.csv", "left,right,winner\na,b,left\na,b,draw\n")
    result = cli("aggregate", str(bad), "--method", "bt", code=2)
    assert "comparison 2 ('winner' column): 'draw' is not one of left, right, tie" in result.stderr


def test_pairwise_json_lines_with_own_columns(cli: Cli, tmp_path: Path) -> None:
    records = [{"a": "x", "b": "y", "pref": -1}, {"a": "y", "b": "x", "pref": 1}, {"a": "x", "b": "x", "pref": 1},
               {"a": "y", "b": "x", "pref": -1}]
    pairs = write(tmp_path / "pairs.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    result = cli("aggregate", str(pairs), "--method", "bt", "--left", "a", "--right", "b", "--winner", "pref",
                 "--winner-values=-1,1,0")
    assert result.stdout.splitlines()[1].startswith("x,0.6666666667,1")
    assert "1 comparisons of an item with itself skipped" in result.stderr


@pytest.mark.skipif(not DATA.exists(), reason="shared datasets not present")
def test_real_datasets_as_they_are(cli: Cli, tmp_path: Path) -> None:
    bluebirds = DATA / "ti_bluebirds"
    out = tmp_path / "out.csv"
    cli("aggregate", str(bluebirds / "answers.csv"), "--method", "ds", "-o", str(out))
    truth = {r["task"]: r["truth"] for r in read_csv(bluebirds / "truth.csv")}
    ours = {r["item"]: r["label"] for r in read_csv(out)}
    assert sum(ours[t] == v for t, v in truth.items()) / len(truth) >= 0.88  # crowd-kit's DS: 0.8889

    scores = tmp_path / "scores.csv"
    cli("aggregate", str(DATA / "pw_llmfao" / "crowd-comparisons.csv"), "--method", "bt", "-o", str(scores))
    published = read_csv(DATA / "pw_llmfao" / "reference_bt_scores_crowd.csv")
    assert [r["item"] for r in read_csv(scores)] == [r["model"] for r in published]
