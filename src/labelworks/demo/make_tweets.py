"""Writes the demo's tweets.manifest from the WNUT-17 train file (run once; the manifest is
committed). Not imported by the package.

    python src/labelworks/demo/make_tweets.py /work/shared/data/al_wnut17_ner/wnut17_train.conll.tsv

WNUT-17 (Derczynski et al. 2017) is CC BY 4.0. The tweets are the first ones with at least two
entities and no @-mention or link; the text is the tokens (HTML entities decoded) joined by single
spaces (the corpus keeps no original spacing), and four of them carry the corpus's entities as gold answers.
"""

import html
import json
import sys
from pathlib import Path

COUNT, GOLD = 30, 4


def sentences(path: Path) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if out[-1]:
                out.append([])
            continue
        token, tag = line.split("\t")
        out[-1].append((html.unescape(token), tag))  # the corpus keeps &amp; and &lt; escaped
    return [s for s in out if s]


def entities(tokens: list[tuple[str, str]]) -> tuple[str, list[dict[str, object]]]:
    text, spans, open_span = "", [], None
    for token, tag in tokens:
        start = len(text) + (1 if text else 0)
        text = f"{text} {token}" if text else token
        if tag.startswith("B-") or (tag.startswith("I-") and (open_span is None or open_span["label"] != tag[2:])):
            open_span = {"label": tag[2:], "startOffset": start, "endOffset": len(text)}
            spans.append(open_span)
        elif tag.startswith("I-") and open_span is not None:
            open_span["endOffset"] = len(text)
        else:
            open_span = None
    return text, spans


def main(source: str) -> None:
    lines = []
    for tokens in sentences(Path(source)):
        if any(t.startswith(("@", "http")) for t, _ in tokens):
            continue
        text, spans = entities(tokens)
        if len(spans) < 2 or not 40 <= len(text) <= 200:
            continue
        row: dict[str, object] = {"source": text, "tweet": f"wnut17-train-{len(lines) + 1:02d}"}
        if len(lines) % (COUNT // GOLD) == 0 and sum("gold" in r for r in lines) < GOLD:
            row["gold"] = {"entities": spans}
        lines.append(row)
        if len(lines) == COUNT:
            break
    target = Path(__file__).with_name("tweets.manifest")
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
