"""Preference data for RLHF: the ``text-ranking`` task type (Ground Truth's ``crowd-text-ranking``).

An item holds a prompt and k responses (docs/task-types/text-ranking.md)::

    {"prompt": "Explain…", "responses": [{"id": "a", "text": "…", "model": "m1"}, "plain text", …]}

The prompt is ``prompt`` or ``source`` (text) or ``messages`` (a chat list of ``{role, content}``);
responses are ``responses`` (or Bedrock's ``modelResponses``): strings or objects with ``text`` (or
``response`` / ``content``), optional ``id`` (default ``r1``, ``r2``… by position) and ``model`` (or
``modelIdentifier``).

The project's label file configures the task: its ``labels`` are the ranking dimensions
(``{"label": "helpfulness", "description": "…", "allowTie": true}``), and optional keys add a
Likert comparison (``"pairwise": {"scale": [...], "required": true}``, shown when an item has two
responses), per-response classes (``"responseClasses": {"labels": [...], "multi": true,
"required": false}``), a rationale (``"rationale": "optional" | "required" | "off"``), responses
drawn as Markdown or plain text (``"markdown"``, default true) and which
classes make a KTO row desirable (``"kto": {"desirable": [...], "undesirable": [...]}``).

The element posts ranks in the order it showed the responses, with that order as ``displayOrder``
(response ids); the canonical value maps everything back to the item's order (value shape in
``core/consolidation/structured/preferences.py``), so consolidation and exports see true ids.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..consolidation.majority import Consolidated
from ..consolidation.structured.preferences import consolidate_preferences, likert_winner
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType
from .image_objects import unwrap_answer

__all__ = ["TextRankingTaskType", "TEXT_RANKING", "RankingConfig", "Response", "ranking_config", "item_prompt",
           "item_responses", "MAX_RESPONSES", "DEFAULT_LIKERT", "DEFAULT_DESIRABLE", "DEFAULT_UNDESIRABLE"]

MAX_RESPONSES = 20
MAX_RATIONALE = 10_000
DEFAULT_LIKERT = ("A is much better", "A is slightly better", "About the same", "B is slightly better",
                  "B is much better")
# KTO's label when the project names no classes: a response is desirable when it has one of these
# and none of the undesirable ones (docs/task-types/text-ranking.md)
DEFAULT_DESIRABLE = ("thumbs-up", "good", "helpful", "honest", "harmless", "correct")
DEFAULT_UNDESIRABLE = ("thumbs-down", "bad", "harmful", "dishonest", "unhelpful", "incorrect", "toxic")
RATIONALE_MODES = ("off", "optional", "required")


@dataclass(frozen=True)
class Dimension:
    name: str
    description: str = ""
    allow_tie: bool = False


@dataclass(frozen=True)
class RankingConfig:
    dimensions: tuple[Dimension, ...]
    likert: tuple[str, ...] = ()  # empty: no Likert comparison
    likert_required: bool = True
    classes: tuple[str, ...] = ()
    multi_class: bool = True
    classes_required: bool = False
    rationale: str = "optional"
    markdown: bool = True
    desirable: tuple[str, ...] = DEFAULT_DESIRABLE
    undesirable: tuple[str, ...] = DEFAULT_UNDESIRABLE


@dataclass(frozen=True)
class Response:
    id: str
    text: str
    model: str | None = None


def _names(raw: Any, field: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise ValidationFailed("expected a list of non-empty names", field=field)
    names = tuple(x.strip() for x in raw)
    if len(set(names)) != len(names):
        raise ValidationFailed("a name appears twice", field=field)
    return names


def ranking_config(spec: ProjectSpec) -> RankingConfig:
    """The project's dimensions and options from its label file (errors name the ``labels.`` field)."""
    doc = spec.labels.document
    raw_entries = doc.get("labels")
    entries: list[Any] = raw_entries if isinstance(raw_entries, list) else []
    dims = []
    for i, name in enumerate(spec.labels.labels):
        entry = entries[i] if i < len(entries) and isinstance(entries[i], dict) else {}
        tie = entry.get("allowTie", entry.get("allow-tie", False))
        if not isinstance(tie, bool):
            raise ValidationFailed("allowTie must be true or false", field=f"labels.labels[{i}].allowTie")
        description = entry.get("description", "")
        dims.append(Dimension(name, str(description) if description else "", tie))
    likert: tuple[str, ...] = ()
    likert_required = True
    pairwise = doc.get("pairwise")
    if pairwise is True:
        likert = DEFAULT_LIKERT
    elif isinstance(pairwise, dict):
        likert = _names(pairwise.get("scale", list(DEFAULT_LIKERT)), "labels.pairwise.scale")
        if not 2 <= len(likert) <= 11:
            raise ValidationFailed("a Likert scale has 2 to 11 points", field="labels.pairwise.scale")
        likert_required = bool(pairwise.get("required", True))
    elif pairwise not in (None, False):
        raise ValidationFailed('pairwise is true or {"scale": [...], "required": true}', field="labels.pairwise")
    classes: tuple[str, ...] = ()
    multi, classes_required = True, False
    raw_classes = doc.get("responseClasses")
    if isinstance(raw_classes, list):
        classes = _names(raw_classes, "labels.responseClasses")
    elif isinstance(raw_classes, dict):
        classes = _names(raw_classes.get("labels"), "labels.responseClasses.labels")
        multi = bool(raw_classes.get("multi", True))
        classes_required = bool(raw_classes.get("required", False))
    elif raw_classes is not None:
        raise ValidationFailed('responseClasses is a list of names or {"labels": [...], "multi": true}',
                               field="labels.responseClasses")
    rationale = doc.get("rationale", "optional")
    if rationale not in RATIONALE_MODES:
        raise ValidationFailed(f"rationale is one of {', '.join(RATIONALE_MODES)}", field="labels.rationale")
    markdown = doc.get("markdown", True)
    if not isinstance(markdown, bool):
        raise ValidationFailed("markdown must be true or false", field="labels.markdown")
    raw_kto = doc.get("kto")
    kto: dict[str, Any] = raw_kto if isinstance(raw_kto, dict) else {}
    desirable = _names(kto["desirable"], "labels.kto.desirable") if "desirable" in kto else DEFAULT_DESIRABLE
    undesirable = _names(kto["undesirable"], "labels.kto.undesirable") if "undesirable" in kto else DEFAULT_UNDESIRABLE
    return RankingConfig(tuple(dims), likert, likert_required, classes, multi, classes_required, str(rationale),
                         markdown, desirable, undesirable)


def item_prompt(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The prompt as chat messages: ``messages`` as given, else ``prompt`` / ``source`` as one user turn."""
    messages = data.get("messages")
    if isinstance(messages, list) and messages:
        out = []
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or not isinstance(m.get("role"), str) or not isinstance(m.get("content"), str):
                raise ValidationFailed("each message needs a string role and content", field=f"item.messages[{i}]")
            out.append({"role": m["role"], "content": m["content"]})
        return out
    for key in ("prompt", "source", "text"):
        if isinstance(data.get(key), str):
            return [{"role": "user", "content": data[key]}]
    raise ValidationFailed("the item has no prompt ('prompt', 'source' or 'messages')", field="item.prompt")


def item_responses(data: Mapping[str, Any]) -> list[Response]:
    """The item's responses in its own order, with their ids (``r1``, ``r2``… where none is given)."""
    raw = data.get("responses", data.get("modelResponses"))
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("the item has no 'responses' list", field="item.responses")
    if len(raw) > MAX_RESPONSES:
        raise ValidationFailed(f"at most {MAX_RESPONSES} responses per item, got {len(raw)}", field="item.responses")
    out: list[Response] = []
    for i, r in enumerate(raw):
        at = f"item.responses[{i}]"
        if isinstance(r, str):
            out.append(Response(f"r{i + 1}", r))
            continue
        if not isinstance(r, dict):
            raise ValidationFailed("a response is a string or an object with 'text'", field=at)
        text = next((r[k] for k in ("text", "response", "content") if isinstance(r.get(k), str)), None)
        if text is None:
            raise ValidationFailed("the response needs 'text'", field=f"{at}.text")
        rid = r.get("id", f"r{i + 1}")
        if isinstance(rid, bool) or not isinstance(rid, str | int) or not str(rid):
            raise ValidationFailed("id must be a non-empty string", field=f"{at}.id")
        model = r.get("model", r.get("modelIdentifier"))
        out.append(Response(str(rid), text, str(model) if model is not None else None))
    ids = [r.id for r in out]
    if len(set(ids)) != len(ids):
        raise ValidationFailed("two responses share an id", field="item.responses")
    return out


_TEMPLATE = """<lw-form>
  <lw-text-ranking name="ranking" header="{{ header }}"
    prompt="{{ task.input.prompt | default: task.input.source }}"
    messages="{{ task.input.messages | to_json }}"
    responses="{{ task.input.responses | default: task.input.modelResponses | to_json }}"
    shuffle-seed="{{ task.worker_seed }}"@@CONFIG@@>
  </lw-text-ranking>
</lw-form>
"""


def _attribute(value: Any) -> str:
    """JSON for an HTML attribute: escaped, braces as character references so no name can be Liquid."""
    text = html.escape(json.dumps(value, ensure_ascii=False), quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;")


class TextRankingTaskType(TaskType):
    name = "text-ranking"
    title = "Text ranking (preference data for RLHF)"
    media = "text"
    default_consolidator = "ranking-bradley-terry"
    reads_item_data = True  # ranks are checked against the item's responses
    # the digits rank the focused response (the element's hint says so): the dimensions are not
    # labels to choose, so the labeling page lists no numbered labels
    digit_keys = None

    def value_kind(self, spec: ProjectSpec) -> str:
        return "ranking"

    def default_template(self, spec: ProjectSpec) -> str:
        cfg = ranking_config(spec)
        dims = [{"name": d.name, "description": d.description, "allowTie": d.allow_tie} for d in cfg.dimensions]
        extra = f'\n    ordinal-ranking-dimensions="{_attribute(dims)}"'
        if cfg.likert:
            extra += f'\n    likert-scale="{_attribute(list(cfg.likert))}"' + ("" if cfg.likert_required else " likert-optional")
        if cfg.classes:
            extra += f'\n    response-classes="{_attribute(list(cfg.classes))}"'
            extra += ("" if cfg.multi_class else " single-class") + (" classes-required" if cfg.classes_required else "")
        extra += f'\n    rationale="{cfg.rationale}"' + (" markdown" if cfg.markdown else "")
        return _TEMPLATE.replace("@@CONFIG@@", extra)

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        body, _ = unwrap_answer(value, ("ordinalRankingDimensions",), "'ordinalRankingDimensions'")
        ids = body.get("responseIds") or body.get("displayOrder")
        if ids is None:
            dims = body.get("ordinalRankingDimensions") or [{}]
            first = dims[0].get("responseRankings") if isinstance(dims[0], dict) else None
            ids = [f"r{i + 1}" for i in range(len(first))] if isinstance(first, list) else []
        return _normalize(value, spec, [Response(str(x), "") for x in ids])

    def normalize_with_item(self, value: Any, spec: ProjectSpec, data: Mapping[str, Any]) -> dict[str, Any]:
        return _normalize(value, spec, item_responses(data))

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        if not values:
            return None
        return consolidate_preferences([(f"w{i}", v) for i, v in enumerate(values)])

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        """Ground Truth's shape: ``{attr: {"ordinalRankingDimensions": [...]}, attr-metadata: {…}}``,
        our other parts (``pairwiseChoice``, ``responseClassifications``) beside it."""
        attr = spec.label_attribute
        value: Any = answer.value if isinstance(answer.value, dict) else {}
        body = {"ordinalRankingDimensions": [{"name": d["name"], "responseRankings": d["responseRankings"]}
                                             for d in value.get("ordinalRankingDimensions", [])]}
        for key in ("responseIds", "pairwiseChoice", "responseClassifications"):
            if key in value:
                body[key] = value[key]
        meta: dict[str, Any] = {"confidence": round(answer.confidence, 2)}
        if body["ordinalRankingDimensions"]:  # each dimension's agreement, as the consolidator measured it
            meta["dimensions"] = [{"name": d["name"], "confidence": round(answer.confidence_map.get(d["name"], 0.0), 2)}
                                  for d in body["ordinalRankingDimensions"]]
        meta |= {"type": "groundtruth/text-ranking", "human-annotated": "yes", "creation-date": created,
                 "job-name": f"labeling-job/{spec.job_name}"}
        return {attr: body, f"{attr}-metadata": meta}


def _normalize(value: Any, spec: ProjectSpec, responses: Sequence[Response]) -> dict[str, Any]:
    cfg = ranking_config(spec)
    body, prefix = unwrap_answer(value, ("ordinalRankingDimensions",), "'ordinalRankingDimensions'")
    ids = [r.id for r in responses]
    shown = _display_order(body.get("displayOrder"), ids, f"{prefix}.displayOrder")
    out: dict[str, Any] = {"responseIds": ids}
    if shown != ids:
        out["displayOrder"] = shown
    out["ordinalRankingDimensions"] = _dimensions(body.get("ordinalRankingDimensions"), cfg, ids, shown,
                                                  f"{prefix}.ordinalRankingDimensions")
    likert = _likert(body.get("pairwiseChoice"), cfg, ids, f"{prefix}.pairwiseChoice")
    if likert is not None:
        out["pairwiseChoice"] = likert
    classes = _classes(body.get("responseClassifications"), cfg, ids, f"{prefix}.responseClassifications")
    if classes is not None:
        out["responseClassifications"] = classes
    rationale = body.get("rationale")
    field = f"{prefix}.rationale"
    if rationale is not None and not isinstance(rationale, str):
        raise ValidationFailed("rationale must be text", field=field)
    rationale = (rationale or "").strip()
    if len(rationale) > MAX_RATIONALE:
        raise ValidationFailed(f"at most {MAX_RATIONALE} characters", field=field)
    if cfg.rationale == "required" and not rationale:
        raise ValidationFailed("explain your ranking in the rationale box", field=field)
    if rationale and cfg.rationale != "off":
        out["rationale"] = rationale
    return out


def _display_order(raw: Any, ids: list[str], field: str) -> list[str]:
    if raw is None:
        return ids
    if not isinstance(raw, list) or sorted(map(str, raw)) != sorted(ids) or len(raw) != len(ids):
        raise ValidationFailed(f"displayOrder must list each of the item's responses ({', '.join(ids)}) once",
                               field=field)
    return [str(x) for x in raw]


def _rank(raw: Any, k: int, field: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= k:
        raise ValidationFailed(f"a rank is a whole number from 1 to {k}", field=field)
    return raw


def _dimensions(raw: Any, cfg: RankingConfig, ids: list[str], shown: list[str], field: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise ValidationFailed("ordinalRankingDimensions must be a list of {name, responseRankings}", field=field)
    given: dict[str, tuple[int, Any]] = {}
    for i, dim in enumerate(raw):
        if not isinstance(dim, dict) or not isinstance(dim.get("name"), str):
            raise ValidationFailed("each dimension needs a 'name'", field=f"{field}[{i}].name")
        if dim["name"] not in [d.name for d in cfg.dimensions]:
            raise ValidationFailed(f"{dim['name']!r} is not one of the project's dimensions", field=f"{field}[{i}].name")
        if dim["name"] in given:
            raise ValidationFailed(f"dimension {dim['name']!r} is ranked twice", field=f"{field}[{i}].name")
        given[dim["name"]] = (i, dim.get("responseRankings"))
    out = []
    k = len(ids)
    for d in cfg.dimensions:
        if d.name not in given:
            raise ValidationFailed(f"rank the responses for {d.name!r}", field=field)
        i, ranks = given[d.name]
        at = f"{field}[{i}].responseRankings"
        if not isinstance(ranks, list) or len(ranks) != k:
            raise ValidationFailed(f"give one rank to each of the {k} responses", field=at)
        checked = [_rank(r, k, f"{at}[{j}]") for j, r in enumerate(ranks)]
        if not d.allow_tie and len(set(checked)) != k:
            dup = next(j for j, r in enumerate(checked) if checked.count(r) > 1)
            raise ValidationFailed(f"{d.name!r} allows no ties: rank {checked[dup]} is given twice", field=f"{at}[{dup}]")
        by_id = dict(zip(shown, checked, strict=True))
        item_order = [by_id[x] for x in ids]
        # competition ranks ("1 2 2 4"): a response's rank is 1 + the number ranked strictly better
        out.append({"name": d.name, "responseRankings": [1 + sum(1 for s in item_order if s < r) for r in item_order]})
    return out


def _likert(raw: Any, cfg: RankingConfig, ids: list[str], field: str) -> dict[str, Any] | None:
    active = bool(cfg.likert) and len(ids) == 2
    if raw is None:
        if active and cfg.likert_required:
            raise ValidationFailed("choose how the two responses compare", field=field)
        return None
    if not active:
        raise ValidationFailed("this project has no Likert comparison for this item (it needs 'pairwise' in the "
                               "label file and two responses)", field=field)
    if not isinstance(raw, dict):
        raise ValidationFailed("expected {left, right, choice}", field=field)
    left, right = raw.get("left", ids[0]), raw.get("right", ids[1])
    if sorted([str(left), str(right)]) != sorted(ids):
        raise ValidationFailed(f"left and right must be the item's two responses ({ids[0]}, {ids[1]})",
                               field=f"{field}.left")
    points = len(cfg.likert)
    choice = raw.get("choice")
    if isinstance(choice, bool) or not isinstance(choice, int) or not 1 <= choice <= points:
        raise ValidationFailed(f"choice is a whole number from 1 to {points}", field=f"{field}.choice")
    if str(left) != ids[0]:  # shown swapped: mirror the choice onto the item's order
        choice = points + 1 - choice
    winner, strength = likert_winner(choice, points)
    return {"left": ids[0], "right": ids[1], "choice": choice, "points": points, "winner": winner,
            "strength": strength, "label": cfg.likert[choice - 1]}


def _classes(raw: Any, cfg: RankingConfig, ids: list[str], field: str) -> list[dict[str, Any]] | None:
    if raw is None or raw == [] or raw == {}:
        if cfg.classes and cfg.classes_required:
            raise ValidationFailed("classify every response", field=field)
        return None
    if not cfg.classes:
        raise ValidationFailed("this project has no response classes", field=field)
    if isinstance(raw, dict):
        raw = [{"responseId": k, "labels": v} for k, v in raw.items()]
    if not isinstance(raw, list):
        raise ValidationFailed("expected a list of {responseId, labels}", field=field)
    chosen: dict[str, list[str]] = {}
    for i, entry in enumerate(raw):
        at = f"{field}[{i}]"
        if not isinstance(entry, dict) or str(entry.get("responseId")) not in ids:
            raise ValidationFailed(f"responseId must be one of {', '.join(ids)}", field=f"{at}.responseId")
        rid = str(entry["responseId"])
        if rid in chosen:
            raise ValidationFailed(f"response {rid!r} is classified twice", field=f"{at}.responseId")
        labels = entry.get("labels", [])
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list):
            raise ValidationFailed("labels must be a list of class names", field=f"{at}.labels")
        for j, lab in enumerate(labels):
            if lab not in cfg.classes:
                raise ValidationFailed(f"{lab!r} is not one of the project's classes", field=f"{at}.labels[{j}]")
        if len(set(labels)) != len(labels):
            raise ValidationFailed("a class is chosen twice", field=f"{at}.labels")
        if len(labels) > 1 and not cfg.multi_class:
            raise ValidationFailed("choose one class per response", field=f"{at}.labels")
        chosen[rid] = sorted(labels, key=cfg.classes.index)
    if cfg.classes_required:
        missing = [x for x in ids if not chosen.get(x)]
        if missing:
            raise ValidationFailed(f"classify every response (missing: {', '.join(missing)})", field=field)
    return [{"responseId": x, "labels": chosen.get(x, [])} for x in ids]


TEXT_RANKING = TextRankingTaskType()
