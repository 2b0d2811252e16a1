#!/usr/bin/env python3
"""Accuracy of Labelworks' truth inference on every shared truth-inference dataset, beside the
reference figures in each dataset's README; Bradley-Terry against LLMFAO's published scores.

    .venv/bin/python bench/consensus.py                  # markdown tables on standard output
    .venv/bin/python bench/consensus.py --markdown out.md --no-crowdkit

Like with like: the READMEs' crowd-kit runs drop repeated (task, worker) rows keeping the FIRST,
so the main table does too; the platform's own rule (keep the LAST answer, as revisions do) is
reported beside it where the two differ. Accuracy is over the gold tasks that have answers.

Methods (ours): MV (ties: lexicographic label order), Wawa, ZBS, DS (Ground Truth's variant:
smoothing 1 toward the mean worker accuracy, <= 20 epochs or relative change < 1e-8), DS0 (no
smoothing, same stopping), OneCoinDS, GLAD, MACE. With crowd-kit importable, "DS@ck" runs our
DS without smoothing for exactly as many epochs as crowd-kit's DawidSkene ran before its stopping
rule fired: the same computation as the reference DS, to show where a gap comes from.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelworks.core.consolidation.pairwise import bradley_terry  # noqa: E402
from labelworks.core.consolidation.truth.common import TruthResult  # noqa: E402
from labelworks.core.consolidation.truth.ds import dawid_skene  # noqa: E402
from labelworks.core.consolidation.truth.encode import Encoded, encode  # noqa: E402
from labelworks.core.consolidation.truth.glad import glad  # noqa: E402
from labelworks.core.consolidation.truth.mace import mace  # noqa: E402
from labelworks.core.consolidation.truth.mv import majority_vote  # noqa: E402
from labelworks.core.consolidation.truth.onecoin import one_coin_dawid_skene  # noqa: E402
from labelworks.core.consolidation.truth.wawa import wawa, zero_based_skill  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
METHODS: dict[str, Callable[[Encoded], TruthResult]] = {
    "MV": majority_vote,
    "Wawa": wawa,
    "ZBS": zero_based_skill,
    "DS": dawid_skene,
    "DS0": lambda enc: dawid_skene(enc, smoothing=0.0),
    "OneCoinDS": one_coin_dawid_skene,
    "GLAD": glad,
    "MACE": mace,
}
# README column name -> ours, for the "best" comparison
REF_COLUMNS = ["MV", "Wawa", "DS", "OneCoinDS", "GLAD", "MACE", "ZBS", "KOS", "MMSR"]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def reference_run(readme: str) -> dict[str, float]:
    """The crowd-kit re-run row of a README: {method: accuracy} (``err`` cells left out)."""
    part = readme.split("## Reference run", 1)
    if len(part) < 2:
        return {}
    lines = [ln.strip() for ln in part[1].splitlines() if ln.strip().startswith("|")]
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0] == "MV" and i + 2 < len(lines):
            values = [c.strip() for c in lines[i + 2].strip("|").split("|")]
            out = {}
            for name, value in zip(cells, values, strict=False):
                try:
                    out[name] = float(value)
                except ValueError:
                    continue
            return out
    return {}


def published_table(readme: str, dataset: str) -> dict[str, float]:
    """The crowd-kit JOSS table in D_Product / S_Adult READMEs: this dataset's column."""
    column = {"ti_zheng_d_product": "D_Product", "ti_zheng_s_adult": "S_Adult"}.get(dataset)
    if column is None or "## Published reference numbers" not in readme:
        return {}
    section = readme.split("## Published reference numbers", 1)[1].split("\n## ", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    if column not in header:
        return {}
    at = header.index(column)
    out = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        name = re.sub(r"\s*\(.*\)", "", cells[0])
        try:
            out[name] = float(cells[at])
        except (ValueError, IndexError):
            continue
    return out


def accuracy(enc: Encoded, result: TruthResult, truth: dict[str, str]) -> float:
    names = enc.task_names.astype(str)
    predicted = np.asarray(enc.class_names)[result.labels]
    hits = [predicted[i] == truth[t] for i, t in enumerate(names) if t in truth]
    return float(np.mean(hits))


def crowdkit_epochs(rows: list[dict[str, str]]) -> int | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pandas as pd
            from crowdkit.aggregation import DawidSkene
    except ImportError:
        return None
    df = pd.DataFrame(rows, dtype=str)[["task", "worker", "label"]].drop_duplicates(["task", "worker"], keep="first")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = DawidSkene(n_iter=100).fit(df)
    return len(model.loss_history_)


def truth_inference(use_crowdkit: bool) -> list[str]:
    out = ["### Accuracy against gold (keep-first duplicates, like the references)", ""]
    names = list(METHODS) + (["DS@ck"] if use_crowdkit else [])
    out.append("| dataset | " + " | ".join(names) + " | ref DS | ours DS − ref DS | best ours | best ref | verdict |")
    out.append("|---|" + "---|" * (len(names) + 5))
    notes: list[str] = []
    seconds: dict[str, float] = dict.fromkeys(names, 0.0)
    summary = {"ds_within": 0, "ds_total": 0, "best_ok": 0, "best_total": 0}
    for folder in sorted(DATA.glob("ti_*")):
        if folder.name == "ti_zheng_n_emotion":
            notes.append("ti_zheng_n_emotion is numeric (emotion intensity in [-100, 100]): not a categorical "
                         "task, skipped here.")
            continue
        readme = (folder / "README.md").read_text(encoding="utf-8")
        rows = read_csv(folder / "answers.csv")
        truth = {r["task"]: r["truth"] for r in read_csv(folder / "truth.csv")}
        cols = [np.asarray([r[k] for r in rows]) for k in ("task", "worker", "label")]
        extra = sorted(set(truth.values()))
        first = encode(*cols, duplicates="first", extra_classes=extra)
        last = encode(*cols, duplicates="last", extra_classes=extra)
        ours: dict[str, float] = {}
        ours_last: dict[str, float] = {}
        for name, run in METHODS.items():
            t0 = time.perf_counter()
            ours[name] = accuracy(first, run(first), truth)
            seconds[name] += time.perf_counter() - t0
            if len(rows) != first.n_answers:  # repeated (task, worker) rows: the two rules may differ
                ours_last[name] = accuracy(last, run(last), truth)
        if use_crowdkit:
            epochs = crowdkit_epochs(rows)
            if epochs:
                t0 = time.perf_counter()
                ours["DS@ck"] = accuracy(first, dawid_skene(first, smoothing=0.0, max_iter=epochs, tol=0.0), truth)
                seconds["DS@ck"] += time.perf_counter() - t0
        ref = reference_run(readme)
        published = published_table(readme, folder.name)
        ref_ds = ref.get("DS")
        cells = [f"{ours[n]:.4f}" if n in ours else "–" for n in names]
        # the READMEs print 4 decimals: compare at that precision
        ours = {n: round(v, 4) for n, v in ours.items()}
        # DS@ck borrows crowd-kit's stopping point: a reproduction check, not one of our methods
        best_ours_name = max((n for n in ours if n != "DS@ck"), key=lambda n: ours[n])
        best_ref_name = max(ref, key=lambda n: ref[n]) if ref else None
        ds_gap = ours["DS"] - ref_ds if ref_ds is not None else float("nan")
        verdict = []
        if ref_ds is not None:
            summary["ds_total"] += 1
            close = abs(ds_gap) <= 0.005 + 1e-9
            summary["ds_within"] += close
            verdict.append("DS ok" if close else ("DS higher" if ds_gap > 0 else "DS MISS"))
        if best_ref_name:
            summary["best_total"] += 1
            ok = ours[best_ours_name] >= ref[best_ref_name] - 1e-9
            summary["best_ok"] += ok
            verdict.append("best ok" if ok else "best MISS")
        out.append(f"| {folder.name[3:]} | " + " | ".join(cells)
                   + f" | {ref_ds if ref_ds is not None else '–'} | {ds_gap:+.4f} | {best_ours_name} {ours[best_ours_name]:.4f}"
                   + f" | {best_ref_name} {ref[best_ref_name] if best_ref_name else ''} | {', '.join(verdict)} |")
        ours_last = {n: round(v, 4) for n, v in ours_last.items()}
        if ours_last and any(ours_last[n] != ours[n] for n in ours_last):
            diff = ", ".join(f"{n} {ours_last[n]:.4f}" for n in ours_last)
            notes.append(f"{folder.name}: {len(rows) - first.n_answers} repeated (task, worker) rows; keeping each "
                         f"worker's LAST answer instead of the first: {diff}.")
        if published:
            pub = ", ".join(f"{k} {v:.3f}" for k, v in published.items())
            notes.append(f"{folder.name}: published crowd-kit (JOSS) figures: {pub}.")
    out.append("")
    out.append(f"DS within 0.5 points of the reference DS: {summary['ds_within']} of {summary['ds_total']} datasets; "
               f"best of ours >= best reference: {summary['best_ok']} of {summary['best_total']}.")
    out.append("")
    out.append("Seconds for all datasets, per method: "
               + ", ".join(f"{n} {s:.1f}" for n, s in seconds.items()) + ".")
    out.append("")
    out += [f"- {n}" for n in notes]
    return out


def gold_anchored(fraction: float = 0.1, seed: int = 0) -> list[str]:
    """What a tenth of the items as gold buys: accuracy on the OTHER items, anchored vs not."""
    from labelworks.core.consolidation.truth.encode import encode_gold

    out = ["", f"### Gold-anchored variants: {fraction:.0%} of the gold items given as gold (seed {seed})", "",
           "Accuracy on the remaining gold items only (the anchored ones are right by construction).", "",
           "| dataset | DS | DS + gold | one-coin | one-coin + gold | GLAD | GLAD + gold | MACE | MACE + gold |",
           "|---|---|---|---|---|---|---|---|---|"]
    methods: dict[str, Callable[..., TruthResult]] = {"DS": dawid_skene, "OneCoinDS": one_coin_dawid_skene,
                                                      "GLAD": glad, "MACE": mace}
    gains: dict[str, list[float]] = {m: [] for m in methods}
    for folder in sorted(DATA.glob("ti_*")):
        if folder.name == "ti_zheng_n_emotion":
            continue
        rows = read_csv(folder / "answers.csv")
        truth = {r["task"]: r["truth"] for r in read_csv(folder / "truth.csv")}
        cols = [np.asarray([r[k] for r in rows]) for k in ("task", "worker", "label")]
        enc = encode(*cols, duplicates="first", extra_classes=sorted(set(truth.values())))
        answered = sorted(t for t in truth if t in set(enc.task_names.astype(str).tolist()))
        rng = np.random.default_rng(seed)
        given = set(rng.choice(answered, size=max(1, int(fraction * len(answered))), replace=False).tolist())
        rest = {t: v for t, v in truth.items() if t not in given}
        gold = encode_gold(enc, {t: truth[t] for t in given})
        cells = []
        for name, run in methods.items():
            plain = accuracy(enc, run(enc), rest)
            anchored = accuracy(enc, run(enc, gold), rest)
            gains[name].append(anchored - plain)
            cells += [f"{plain:.4f}", f"{anchored:.4f}"]
        out.append(f"| {folder.name[3:]} | " + " | ".join(cells) + " |")
    out += ["", "Mean change on the non-gold items: " + ", ".join(
        f"{n} {100 * float(np.mean(g)):+.2f} points (better on {sum(x > 1e-9 for x in g)}, worse on "
        f"{sum(x < -1e-9 for x in g)} of {len(g)})" for n, g in gains.items()) + "."]
    return out


def pairwise() -> list[str]:
    out = ["", "### Bradley-Terry against LLMFAO's published scores", "",
           "| comparisons | items | max abs score diff | rank order identical | iterations |", "|---|---|---|---|---|"]
    folder = DATA / "pw_llmfao"
    for name, ref in [("crowd-comparisons.csv", "reference_bt_scores_crowd.csv"),
                      ("gpt4-crowd-comparisons.csv", "reference_bt_scores_gpt4.csv"),
                      ("gpt3-crowd-comparisons.csv", "reference_bt_scores_gpt3.csv")]:
        rows = read_csv(folder / name)
        result = bradley_terry([r["left"] for r in rows], [r["right"] for r in rows], [r["winner"] for r in rows])
        published = read_csv(folder / ref)
        scores = result.as_dict()
        diff = max(abs(scores[r["model"]] - float(r["score"])) for r in published)
        same = result.items == [r["model"] for r in published]
        out.append(f"| {name} ({len(rows)}) | {len(result.items)} | {diff:.2g} | {'yes' if same else 'NO'} "
                   f"| {result.iterations} |")
    prd = DATA / "pw_prd_lfqa_experts" / "experts_pairwise_human_preferences.jsonl"
    if prd.exists():
        import json

        records = [json.loads(line) for line in prd.open(encoding="utf-8") if line.strip()]
        mixed = [r for r in records if r["answer_a_type"] != r["answer_b_type"]]
        result = bradley_terry([r["answer_a_type"] for r in mixed], [r["answer_b_type"] for r in mixed],
                               ["left" if r["overall_preference"] == -1 else "right" for r in mixed],
                               bootstrap=1000, seed=0)
        cells = ", ".join(f"{i} {s:.3f} [{lo:.3f}, {hi:.3f}]" for i, s, lo, hi in
                          zip(result.items, result.scores, result.ci_low, result.ci_high, strict=True))
        out += ["", f"pw_prd_lfqa_experts has no published ranking (its README: items are not shared across "
                    f"pairs). Human vs machine answers over the {len(mixed)} mixed pairs, Bradley-Terry with a "
                    f"95% bootstrap interval: {cells}."]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    parser.add_argument("--no-crowdkit", action="store_true", help="skip the DS@ck column (needs crowd-kit)")
    args = parser.parse_args(argv)
    lines = truth_inference(not args.no_crowdkit) + gold_anchored() + pairwise()
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
