"""How good are spaCy's pre-labels on WNUT-17? Entity-level typed and untyped P/R/F1, per label,
and the time per sentence, through the same code the ``spacy-ner`` assist runs.

    .venv/bin/python bench/ner_prelabel_quality.py [--limit N] [--json]

Data: /work/shared/data/al_wnut17_ner/wnut17_train.conll.tsv (3,394 tweets). Each sentence is the
gold tokens joined with single spaces; gold entities come from the BIO tags in code-point offsets;
spaCy's OntoNotes types are mapped with WNUT_LABEL_MAP (the dataset README's mapping). The README's
reference: typed P=0.202 R=0.301 F1=0.242, untyped F1=0.373 on all sentences. Proposals are compared by
their code-point offsets, as stored in pre-labels; ``--snap-tokens`` widens them to whole gold tokens
first (token-level matching, closer to how a CoNLL scorer sees them).
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelworks.assist.spacy_ner import WNUT_LABEL_MAP, entities, nlp_model  # noqa: E402
from labelworks.core.span_metrics import Span, bio_spans, score_spans  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "al_wnut17_ner" / "wnut17_train.conll.tsv"


def read_conll(path: Path, limit: int | None = None) -> list[tuple[str, list[Span]]]:
    """(text, gold spans) per sentence; a line is ``token<TAB>tag``, a blank line ends a sentence."""
    sentences: list[tuple[str, list[Span]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            if tokens:
                sentences.append(bio_spans(tokens, tags))
                tokens, tags = [], []
                if limit is not None and len(sentences) >= limit:
                    return sentences
            continue
        token, sep, tag = line.partition("\t")
        if not sep:
            raise ValueError(f"{path}:{n}: expected token<TAB>tag")
        tokens.append(token)
        tags.append(tag.strip())
    if tokens:
        sentences.append(bio_spans(tokens, tags))
    return sentences[:limit] if limit is not None else sentences


def snap_to_tokens(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole gold tokens (the text is tokens joined by single spaces): spaCy splits
    some tweet tokens (``@user``, ``#tag``, ``it's``), so an entity can start or end inside one."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == " "]
    ends = [i for i, c in enumerate(text) if c == " "] + [len(text)]
    return starts[bisect.bisect_right(starts, start) - 1], ends[bisect.bisect_left(ends, end)]


def evaluate(sentences: list[tuple[str, list[Span]]], snap: bool = False) -> dict[str, object]:
    started = time.perf_counter()
    with nlp_model.use() as nlp:
        load_s = nlp_model.load_seconds or 0.0
        model_started = time.perf_counter()
        proposed: list[list[Span]] = []
        for text, _ in sentences:  # one call per sentence, as the assist and the prelabel job do
            found = [(r["startOffset"], r["endOffset"], r["label"]) for r in entities(nlp(text), WNUT_LABEL_MAP)]
            if snap:
                found = [(*snap_to_tokens(text, s, e), label) for s, e, label in found]
            proposed.append(found)
        model_s = time.perf_counter() - model_started
    scores = score_spans(proposed, [gold for _, gold in sentences])
    return {"sentences": len(sentences), "scores": scores.as_dict(), "load_seconds": round(load_s, 2),
            "seconds": round(model_s, 2), "ms_per_sentence": round(1000 * model_s / max(1, len(sentences)), 2),
            "wall_seconds": round(time.perf_counter() - started, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N sentences")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--json", action="store_true", help="print the raw result as JSON")
    ap.add_argument("--snap-tokens", action="store_true", help="widen proposals to whole gold tokens first "
                    "(token-level matching; the default compares the character offsets pre-labels store)")
    args = ap.parse_args()
    result = evaluate(read_conll(args.data, args.limit), snap=args.snap_tokens)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    s = result["scores"]
    assert isinstance(s, dict)
    print(f"{result['sentences']} sentences, model load {result['load_seconds']} s, "
          f"{result['seconds']} s on the sentences ({result['ms_per_sentence']} ms per sentence)")
    print(f"{'':14} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'prop':>5} {'gold':>5}")
    rows = [("typed", s["typed"]), ("untyped", s["untyped"])] + list(s["per_label"].items())
    for name, prf in rows:
        print(f"{name:14} {prf['precision']:6.3f} {prf['recall']:6.3f} {prf['f1']:6.3f} "
              f"{prf['true_positives']:5d} {prf['proposed']:5d} {prf['gold']:5d}")


if __name__ == "__main__":
    main()
