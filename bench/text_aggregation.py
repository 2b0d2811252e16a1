"""Crowd text aggregation: word error rate of text-rover / text-medoid vs the published aggregators.

Runs the registered ``text-rover`` (with and without its worker-agreement second pass) and
``text-medoid`` consolidators on

* CrowdSpeech dev-clean (../shared/data/seq_crowdspeech_dev_clean): 2,703 LibriSpeech utterances,
  ~7 Toloka transcriptions each; gold = the normalised transcript column of baselines_published.tsv.
  The published ROVER / RASA / HRRASA / T5 outputs in that file are scored with the same WER here.
* CrowdWSA2019 J1, T1, T2 (../shared/data/seq_crowdwsa2019): crowd translations, gold sentences;
  published figures from the crowd-kit JOSS table and the dataset README's crowd-kit 1.4.2 ROVER run.

WER = mean over items of word-level Levenshtein distance / gold length, after lowercasing and
stripping punctuation (``labelworks.core.consolidation.structured.text.word_error_rate``).

    .venv/bin/python bench/text_aggregation.py [--data ../shared/data] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

from labelworks.core.consolidation.base import Answer
from labelworks.core.consolidation.structured.consolidators import TextMedoid, TextRover
from labelworks.core.consolidation.structured.text import word_error_rate
from labelworks.core.labels import LabelConfig
from labelworks.core.tasktypes.base import ProjectSpec

csv.field_size_limit(sys.maxsize)
SPEC = ProjectSpec(labels=LabelConfig(labels=()))

# crowd-kit JOSS table ("sequence aggregation") and the dataset README's crowd-kit 1.4.2 ROVER run
WSA_PUBLISHED = {
    "J1": {"ROVER (JOSS)": 0.612, "RASA (JOSS)": 0.659, "HRRASA (JOSS)": 0.676, "ROVER (crowd-kit 1.4.2)": 0.6068},
    "T1": {"ROVER (JOSS)": 0.514, "RASA (JOSS)": 0.483, "HRRASA (JOSS)": 0.500, "ROVER (crowd-kit 1.4.2)": 0.5041},
    "T2": {"ROVER (JOSS)": 0.524, "RASA (JOSS)": 0.498, "HRRASA (JOSS)": 0.520, "ROVER (crowd-kit 1.4.2)": 0.5223},
}


def read_tsv(path: Path) -> list[list[str]]:
    # CrowdSpeech quotes transcriptions that hold newlines: the csv module's quoting handles them
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[1:]


def speech(data: Path) -> tuple[list[Answer], dict[str, str], dict[str, dict[str, str]]]:
    folder = data / "seq_crowdspeech_dev_clean"
    answers = [Answer(item, worker, {"text": text}) for item, text, worker in read_tsv(folder / "answers.tsv")]
    with (folder / "baselines_published.tsv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    gold = {r["audio"]: r["transcription"] for r in rows}
    published = {name: {r["audio"]: r[f"{name.lower()}_result"] for r in rows} for name in ("ROVER", "RASA", "HRRASA", "T5")}
    return answers, gold, published


def wsa(data: Path, part: str, keep_repeats: bool = True) -> tuple[list[Answer], dict[str, str]]:
    """CrowdWSA answers. Some workers answered one sentence more than once (J1: 2,490 rows, 2,255
    distinct pairs); a consolidator keeps one latest answer per (item, worker), so to aggregate the
    same answers as the published methods, repeats get their own worker id (``w#2``)."""
    folder = data / "seq_crowdwsa2019"
    answers = []
    seen: dict[tuple[str, str], int] = {}
    for worker, sentence, text in read_tsv(folder / f"{part}_answers.tsv"):
        n = seen[(sentence, worker)] = seen.get((sentence, worker), 0) + 1
        answers.append(Answer(sentence, worker if n == 1 or not keep_repeats else f"{worker}#{n}", {"text": text}))
    gold = dict((s, t) for s, t in read_tsv(folder / f"{part}_gt.tsv"))
    return answers, gold


def mean_wer(outputs: dict[str, str], gold: dict[str, str]) -> float:
    return statistics.fmean(word_error_rate(outputs[item], gold[item]) for item in outputs if item in gold)


def ours(answers: list[Answer], gold: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Method -> (WER, seconds)."""
    out: dict[str, tuple[float, float]] = {}
    by_item: dict[str, list[str]] = {}
    for a in answers:
        by_item.setdefault(a.item, []).append(str(a.value["text"]))
    rnd = {}
    for item, texts in by_item.items():
        # a single worker's answer, the first by worker id: the "no aggregation" baseline
        rnd[item] = texts[0]
    out["single worker (first answer)"] = (mean_wer(rnd, gold), 0.0)
    for label, algo, params in (
        ("text-medoid", TextMedoid(), {}),
        ("text-rover (default: one pass)", TextRover(), {}),
        ("text-rover, reweight=true (agreement-weighted 2nd pass)", TextRover(), {"reweight": True}),
    ):
        t0 = time.perf_counter()
        fit = algo.fit(answers, SPEC, params)
        seconds = time.perf_counter() - t0
        out[label] = (mean_wer({k: str(v.value["text"]) for k, v in fit.results.items()}, gold), seconds)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--limit", type=int, default=0, help="only the first N items of each dataset (smoke run)")
    parser.add_argument("--latest-only", action="store_true",
                        help="CrowdWSA: keep only each worker's last answer to a sentence (the consolidator's rule)")
    args = parser.parse_args()

    def cut(answers: list[Answer]) -> list[Answer]:
        if not args.limit:
            return answers
        keep = set(sorted({a.item for a in answers})[: args.limit])
        return [a for a in answers if a.item in keep]

    print("| dataset | items | answers | method | WER | seconds |")
    print("|---|---:|---:|---|---:|---:|")
    answers, gold, published = speech(args.data)
    answers = cut(answers)
    items = {a.item for a in answers}
    for name, outputs in published.items():
        print(f"| CrowdSpeech dev-clean | {len(items)} | {len(answers)} | published {name} (scored here) | "
              f"{mean_wer({k: v for k, v in outputs.items() if k in items}, gold):.4f} | |")
    for method, (wer, seconds) in ours(answers, gold).items():
        print(f"| CrowdSpeech dev-clean | {len(items)} | {len(answers)} | **{method}** | {wer:.4f} | {seconds:.1f} |")
    for part in ("J1", "T1", "T2"):
        answers, gold = wsa(args.data, part, keep_repeats=not args.latest_only)
        answers = cut(answers)
        items = {a.item for a in answers}
        for name, figure in WSA_PUBLISHED[part].items():
            print(f"| CrowdWSA2019 {part} | {len(items)} | {len(answers)} | published {name} | {figure:.4f} | |")
        for method, (wer, seconds) in ours(answers, gold).items():
            print(f"| CrowdWSA2019 {part} | {len(items)} | {len(answers)} | **{method}** | {wer:.4f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
