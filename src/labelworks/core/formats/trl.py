"""Preference data (``text-ranking`` projects) as TRL's datasets (docs/formats.md, "RLHF preferences").

Rows come from each labelled item's consolidated answer (unlabelled items are left out), in TRL's
conversational form, with exactly TRL's field names:

* ``dpo`` (JSONL) / ``dpo-parquet``: explicit prompt, ``{"prompt": [messages], "chosen":
  [{"role": "assistant", …}], "rejected": [...], "margin": float}``. A k-way ranking becomes every
  pair of responses with different ranks (better one chosen), ``margin`` = the worse rank minus
  the better one; tied pairs are skipped.
* ``reward`` / ``reward-parquet``: implicit prompt, ``{"chosen": [prompt…, assistant], "rejected":
  [prompt…, assistant], "margin": float}`` (RewardTrainer reads ``margin``).
* ``kto`` / ``kto-parquet``: ``{"prompt": [messages], "completion": [assistant], "label": bool}``,
  one row per classified response: false when it has an undesirable class, true when it has a
  desirable one and no undesirable one, no row otherwise (classes from the label file's ``kto``,
  else ``DEFAULT_DESIRABLE`` / ``DEFAULT_UNDESIRABLE`` of core/tasktypes/ranking.py).

``dpo-text``, ``reward-text`` and ``kto-text`` (JSONL) are TRL's *standard* (plain text) form of
the same rows: the prompt and responses as strings, the implicit prompt of ``reward-text`` joined
to the response by a blank line. They need a single-turn prompt (one user message, or ``prompt`` /
``source``); an item with a chat history fails the export naming the item (use the conversational
form for chats).

Which preference makes the pairs: the label file's ``"export": {"preference": …}``, a dimension's
name or ``"pairwise"`` (the Likert comparison; margin = its strength, "about the same" skipped);
the first dimension by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import combinations
from typing import Any

import orjson

from ..errors import ValidationFailed
from ..tasktypes.ranking import item_prompt, item_responses, ranking_config
from .parquet_stream import stream_parquet
from .records import ExportItem

__all__ = ["TRL_FORMATS", "TRL_MEDIA_TYPES", "trl_rows", "trl_writer", "preference_source"]

TRL_FORMATS = ("dpo", "reward", "kto", "dpo-parquet", "reward-parquet", "kto-parquet", "dpo-text", "reward-text",
               "kto-text")
TRL_MEDIA_TYPES = {
    **{f: ("application/jsonl", f"{f}.jsonl") for f in ("dpo", "reward", "kto", "dpo-text", "reward-text", "kto-text")},
    **{f"{f}-parquet": ("application/vnd.apache.parquet", f"{f}.parquet") for f in ("dpo", "reward", "kto")},
}
_ROW_GROUP = 1000


def preference_source(spec: Any) -> str:
    """The dimension (or ``"pairwise"``) whose answer makes chosen/rejected pairs."""
    cfg = ranking_config(spec)
    export = spec.labels.document.get("export")
    chosen = export.get("preference") if isinstance(export, dict) else None
    names = [d.name for d in cfg.dimensions]
    if chosen is None:
        return names[0]
    if chosen != "pairwise" and chosen not in names:
        raise ValidationFailed(f"export.preference is 'pairwise' or one of the dimensions ({', '.join(names)})",
                               field="labels.export.preference")
    return str(chosen)


def _assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def _pairs(value: dict[str, Any], source: str) -> Iterator[tuple[str, str, float]]:
    """(chosen id, rejected id, margin) of one consolidated answer."""
    if source == "pairwise":
        choice = value.get("pairwiseChoice")
        if isinstance(choice, dict) and choice.get("winner") in ("left", "right"):
            win, lose = (choice["left"], choice["right"]) if choice["winner"] == "left" else (choice["right"], choice["left"])
            yield win, lose, float(choice["strength"])
        return
    ids = value.get("responseIds", [])
    dim = next((d for d in value.get("ordinalRankingDimensions", []) if d.get("name") == source), None)
    if dim is None:
        return
    ranks = dim["responseRankings"]
    # best pairs first: by the better rank, then the worse (stable for equal ranks: the item's order)
    pairs = [(i, j) if ranks[i] < ranks[j] else (j, i) for i, j in combinations(range(len(ids)), 2) if ranks[i] != ranks[j]]
    for better, worse in sorted(pairs, key=lambda p: (ranks[p[0]], ranks[p[1]], p)):
        yield ids[better], ids[worse], float(ranks[worse] - ranks[better])


def _plain(row: dict[str, Any], item: ExportItem) -> dict[str, Any]:
    """A conversational row in TRL's standard form (strings), for a single-turn prompt."""
    def text(messages: list[dict[str, str]]) -> str:
        return messages[0]["content"]

    prompt = row.get("prompt") or row["chosen"][:-1]
    if len(prompt) != 1 or prompt[0]["role"] != "user":
        raise ValidationFailed(f"item {item.key!r}: the standard (text) form needs a single-turn prompt; this one is "
                               f"a chat of {len(prompt)} messages (export the conversational form)", field="format")
    if "completion" in row:
        return {"prompt": text(prompt), "completion": text(row["completion"]), "label": row["label"]}
    if "prompt" in row:
        return {"prompt": text(prompt), "chosen": text(row["chosen"]), "rejected": text(row["rejected"]),
                "margin": row["margin"]}
    return {"chosen": f"{text(prompt)}\n\n{row['chosen'][-1]['content']}",
            "rejected": f"{text(prompt)}\n\n{row['rejected'][-1]['content']}", "margin": row["margin"]}


def trl_rows(fmt: str, items: Iterable[ExportItem], spec: Any) -> Iterator[dict[str, Any]]:
    """The rows of ``fmt`` (with or without ``-parquet``) for a text-ranking project."""
    if fmt.endswith("-text"):
        for item in items:
            for row in trl_rows(fmt.removesuffix("-text"), [item], spec):
                yield _plain(row, item)
        return
    shape = fmt.removesuffix("-parquet")
    cfg = ranking_config(spec)
    source = preference_source(spec) if shape != "kto" else ""
    for item in items:
        if item.answer is None:
            continue
        value: Any = item.answer.value
        data = item.data
        try:
            prompt = item_prompt(data)
            texts = {r.id: r.text for r in item_responses(data)}
        except ValidationFailed as exc:
            raise ValidationFailed(f"item {item.key!r}: {exc.message}", field=exc.field) from None
        if shape == "kto":
            for entry in value.get("responseClassifications", []):
                labels = set(entry.get("labels", []))
                if labels & set(cfg.undesirable):
                    label = False
                elif labels & set(cfg.desirable):
                    label = True
                else:
                    continue
                yield {"prompt": prompt, "completion": _assistant(texts[entry["responseId"]]), "label": label}
            continue
        for win, lose, margin in _pairs(value, source):
            if shape == "dpo":
                yield {"prompt": prompt, "chosen": _assistant(texts[win]), "rejected": _assistant(texts[lose]),
                       "margin": margin}
            else:
                yield {"chosen": prompt + _assistant(texts[win]), "rejected": prompt + _assistant(texts[lose]),
                       "margin": margin}


def _schema(shape: str) -> Any:
    import pyarrow as pa

    conversation = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
    if shape == "dpo":
        return pa.schema([("prompt", conversation), ("chosen", conversation), ("rejected", conversation),
                          ("margin", pa.float64())])
    if shape == "reward":
        return pa.schema([("chosen", conversation), ("rejected", conversation), ("margin", pa.float64())])
    return pa.schema([("prompt", conversation), ("completion", conversation), ("label", pa.bool_())])


def trl_writer(fmt: str) -> Any:
    """The ``writers.Writer`` for one of ``TRL_FORMATS``."""

    def write(items: Iterable[ExportItem], task_type: Any, spec: Any, created: str) -> Iterator[bytes]:
        # checked before the first chunk, so a wrong project writes no file at all
        if task_type.name != "text-ranking":
            raise ValidationFailed(f"{fmt} export needs a text-ranking project, not {task_type.name}", field="format")
        if not fmt.startswith("kto"):
            preference_source(spec)
        rows = trl_rows(fmt, items, spec)
        if fmt.endswith("-parquet"):
            return stream_parquet(_schema(fmt.removesuffix("-parquet")), rows, _ROW_GROUP)
        return (orjson.dumps(row) + b"\n" for row in rows)

    return write
