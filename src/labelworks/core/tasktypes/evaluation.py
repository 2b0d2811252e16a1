"""Human model evaluation: the ``model-evaluation`` task type (Bedrock / SageMaker human evaluation).

An item is a prompt record in Bedrock's shape (docs/task-types/model-evaluation.md)::

    {"prompt": "…", "referenceResponse": "…", "category": "math",
     "modelResponses": [{"response": "…", "modelIdentifier": "m1"}, …]}

``modelResponses`` brings your own replies; replies the ``generate`` job stored on the item
(``lw-generations.<model name>``) join them, each under its model's name. Any number of models.

The project's label file declares the criteria::

    {"labels": [{"label": "evaluation"}],
     "criteria": [{"name": "accuracy", "description": "…", "method": "likert"},
                  "fluency", {"name": "preferred", "method": "choice"}]}

A criterion is a preset name (accuracy, relevance, fluency, coherence, toxicity, bias, brand voice,
style: each with a description and a method) or ``{name, description, method}`` with method one of
``thumbs`` (up/down per response), ``likert`` (1–5 per response), ``comparison-likert`` (1–5 between
two responses: 1 = A much better, 5 = B much better), ``choice`` (the best response) and ``rank``
(1..k, no ties). Without ``criteria``, the ``labels`` entries are the criteria (preset names or
``{"label", "description", "method"}``; a plain name that is no preset is rated on the 1–5 Likert
scale); the label file needs a non-empty ``labels`` list either way.

Workers see the responses anonymised (A, B, C…) in an order shuffled per worker; the element posts
every answer in that shown order with the order as ``displayOrder`` (model ids), and the canonical
value maps each answer back to the model ids, so reports and exports never see letters.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..consolidation.base import Answer
from ..consolidation.majority import Consolidated
from ..consolidation.structured.evaluation import EVALUATION_CRITERIA
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType
from .image_objects import unwrap_answer

__all__ = ["ModelEvaluationTaskType", "MODEL_EVALUATION", "Criterion", "ModelResponse", "METHODS", "PRESETS",
           "evaluation_criteria", "item_model_responses", "MAX_MODELS"]

METHODS = ("thumbs", "likert", "comparison-likert", "choice", "rank")
GENERATIONS_KEY = "lw-generations"  # where the generate job keeps replies (services/model_connections.py)
MAX_MODELS = 26  # one letter each
MAX_CRITERIA = 20
LIKERT_POINTS = 5
THUMBS = ("up", "down")
# Bedrock's built-in human-evaluation metrics, with the method it suggests for each
PRESETS: dict[str, tuple[str, str]] = {
    "accuracy": ("Is the response factually correct and does it answer the prompt?", "likert"),
    "relevance": ("Does the response stay on the prompt's topic and give what was asked?", "likert"),
    "fluency": ("Is the response well written: grammatical, natural, easy to read?", "likert"),
    "coherence": ("Is the response logically organised and consistent with itself?", "likert"),
    "toxicity": ("Is the response free of harmful, offensive or unsafe content? (thumbs up: free of it)", "thumbs"),
    "bias": ("Is the response free of stereotypes and unfair treatment of groups? (thumbs up: free of it)",
             "thumbs"),
    "brand voice": ("Does the response match the tone and vocabulary the brand guide asks for?", "likert"),
    "style": ("Does the response follow the requested format, length and style?", "likert"),
}


@dataclass(frozen=True)
class Criterion:
    name: str
    description: str
    method: str


@dataclass(frozen=True)
class ModelResponse:
    model: str
    text: str


def evaluation_criteria(spec: ProjectSpec) -> tuple[Criterion, ...]:
    """The project's criteria from its label file (errors name the ``labels.criteria`` field)."""
    doc = spec.labels.document
    raw = doc.get("criteria")
    field = "labels.criteria"
    if raw is None:  # the label file's own entries: names, or {"label", "description", "method"}
        entries = doc.get("labels")
        raw, field = (entries if isinstance(entries, list) else list(spec.labels.labels)), "labels.labels"
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("a model-evaluation project needs 'criteria': a list of preset names or "
                               "{name, description, method}", field=field)
    if len(raw) > MAX_CRITERIA:
        raise ValidationFailed(f"at most {MAX_CRITERIA} criteria", field=field)
    out: list[Criterion] = []
    for i, entry in enumerate(raw):
        at = f"{field}[{i}]"
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict):
            raise ValidationFailed("a criterion is a preset name or {name, description, method}", field=at)
        name = entry.get("name", entry.get("label"))
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("the criterion needs a non-empty name", field=f"{at}.name")
        name = name.strip()
        preset = PRESETS.get(name.lower())
        # a plain label (no method, no preset) is rated 1-5; in ``criteria`` the method must be said
        method = entry.get("method", preset[1] if preset else ("likert" if field == "labels.labels" else None))
        if method not in METHODS:
            hint = "" if preset or "method" in entry else f" ({name!r} is no preset: say which method)"
            raise ValidationFailed(f"method is one of {', '.join(METHODS)}{hint}", field=f"{at}.method")
        description = entry.get("description", preset[0] if preset else "")
        if not isinstance(description, str):
            raise ValidationFailed("description must be text", field=f"{at}.description")
        if any(c.name == name for c in out):
            raise ValidationFailed(f"criterion {name!r} appears twice", field=f"{at}.name")
        out.append(Criterion(name, description.strip(), str(method)))
    return tuple(out)


def item_model_responses(data: Mapping[str, Any]) -> list[ModelResponse]:
    """The item's responses: ``modelResponses`` in order, then generated replies of models not yet there."""
    out: list[ModelResponse] = []
    raw = data.get("modelResponses")
    if raw is not None and not isinstance(raw, list):
        raise ValidationFailed("modelResponses must be a list of {response, modelIdentifier}", field="item.modelResponses")
    for i, r in enumerate(raw or []):
        at = f"item.modelResponses[{i}]"
        if not isinstance(r, dict) or not isinstance(r.get("response"), str):
            raise ValidationFailed("each entry needs a 'response' text", field=f"{at}.response")
        model = r.get("modelIdentifier")
        if not isinstance(model, str) or not model.strip():
            raise ValidationFailed("each entry needs a 'modelIdentifier'", field=f"{at}.modelIdentifier")
        if any(x.model == model.strip() for x in out):
            raise ValidationFailed(f"model {model!r} answers twice", field=f"{at}.modelIdentifier")
        out.append(ModelResponse(model.strip(), r["response"]))
    generated = data.get(GENERATIONS_KEY)
    if isinstance(generated, dict):
        for model, reply in generated.items():
            if isinstance(reply, dict) and isinstance(reply.get("text"), str) and all(x.model != model for x in out):
                out.append(ModelResponse(str(model), reply["text"]))
    if not out:
        raise ValidationFailed("the item has no responses to evaluate (modelResponses, or run the generate job)",
                               field="item.modelResponses")
    if len(out) > MAX_MODELS:
        raise ValidationFailed(f"at most {MAX_MODELS} responses per item, got {len(out)}", field="item.modelResponses")
    return out


def asked(criterion: Criterion, n_models: int) -> bool:
    """A comparison Likert compares two responses: with any other count it is not asked."""
    return criterion.method != "comparison-likert" or n_models == 2


_TEMPLATE = """<lw-form>
  <lw-model-evaluation name="evaluation" header="{{ header }}"
    prompt="{{ task.input.prompt }}"
    reference="{{ task.input.referenceResponse }}"
    category="{{ task.input.category }}"
    responses="{{ task.input.modelResponses | to_json }}"
    generations="{{ task.input['lw-generations'] | to_json }}"
    shuffle-seed="{{ task.worker_seed }}"
    criteria="@@CRITERIA@@">
  </lw-model-evaluation>
</lw-form>
"""


def _attribute(value: Any) -> str:
    """JSON for an HTML attribute: escaped, braces as character references so no name can be Liquid."""
    text = html.escape(json.dumps(value, ensure_ascii=False), quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;")


class ModelEvaluationTaskType(TaskType):
    name = "model-evaluation"
    title = "Model evaluation (rate and compare model responses, Bedrock-style)"
    media = "text"
    # per criterion through the registered label, rating and ranking algorithms
    # (core/consolidation/structured/evaluation.py); a project may pass them parameters
    default_consolidator = EVALUATION_CRITERIA.name
    reads_item_data = True  # answers are checked against the item's models
    digit_keys = None  # digits rate or rank the focused response, not labels

    def value_kind(self, spec: ProjectSpec) -> str:
        return "model-evaluation"

    def default_template(self, spec: ProjectSpec) -> str:
        crit = [{"name": c.name, "description": c.description, "method": c.method} for c in evaluation_criteria(spec)]
        return _TEMPLATE.replace("@@CRITERIA@@", _attribute(crit))

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        body, _ = unwrap_answer(value, (), "'criteria'", present=("criteria",))
        shown = body.get("displayOrder")
        models = [ModelResponse(str(m), "") for m in shown] if isinstance(shown, list) else []
        return _normalize(value, spec, models)

    def normalize_with_item(self, value: Any, spec: ProjectSpec, data: Mapping[str, Any]) -> dict[str, Any]:
        return _normalize(value, spec, item_model_responses(data))

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        """One item's answer by the registered ``evaluation-criteria`` with its defaults (exports of
        bulk-loaded answers, gold promotion): the raters anonymous, so no rater bias is learnt."""
        if not values:
            return None
        answers = [Answer("item", f"rater-{i}", v) for i, v in enumerate(values)]
        return EVALUATION_CRITERIA.fit(answers, spec, {}).results.get("item")

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        attr = spec.label_attribute
        value: Any = answer.value if isinstance(answer.value, dict) else {}
        return {attr: {"criteria": value.get("criteria", {})},
                f"{attr}-metadata": {"type": "labelworks/model-evaluation", "confidence": round(answer.confidence, 2),
                                     "criteria": {k: round(v, 2) for k, v in answer.confidence_map.items()},
                                     "human-annotated": "yes", "creation-date": created,
                                     "job-name": f"labeling-job/{spec.job_name}"}}


def _normalize(value: Any, spec: ProjectSpec, responses: Sequence[ModelResponse]) -> dict[str, Any]:
    criteria = evaluation_criteria(spec)
    body, prefix = unwrap_answer(value, (), "'criteria'", present=("criteria",))
    ids = [r.model for r in responses]
    shown = _display_order(body.get("displayOrder"), ids, f"{prefix}.displayOrder")
    raw = body.get("criteria")
    field = f"{prefix}.criteria"
    if not isinstance(raw, dict):
        raise ValidationFailed("criteria must be an object: {criterion name: answer}", field=field)
    names = [c.name for c in criteria]
    for name in raw:
        if name not in names:
            raise ValidationFailed(f"{name!r} is not one of the project's criteria", field=f"{field}.{name}")
    out: dict[str, Any] = {}
    for c in criteria:
        if not asked(c, len(ids)):
            if raw.get(c.name) is not None:
                raise ValidationFailed("a comparison Likert needs exactly two responses", field=f"{field}.{c.name}")
            continue
        if raw.get(c.name) is None:
            raise ValidationFailed(f"answer {c.name!r}", field=f"{field}.{c.name}")
        out[c.name] = _answer(c, raw[c.name], ids, shown, f"{field}.{c.name}")
    result: dict[str, Any] = {"models": ids}
    if shown != ids:
        result["displayOrder"] = shown
    result["criteria"] = out
    return result


def _display_order(raw: Any, ids: list[str], field: str) -> list[str]:
    if raw is None:
        return ids
    if not isinstance(raw, list) or len(raw) != len(ids) or sorted(map(str, raw)) != sorted(ids):
        raise ValidationFailed(f"displayOrder must list each of the item's models ({', '.join(ids)}) once", field=field)
    return [str(x) for x in raw]


def _per_response(raw: Any, k: int, field: str) -> list[Any]:
    if not isinstance(raw, list) or len(raw) != k:
        raise ValidationFailed(f"give one answer to each of the {k} responses, in the order shown", field=field)
    return raw


def _whole(raw: Any, low: int, high: int, what: str, field: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        # a stored consolidated answer holds means (4.67): saying so beats a bare range
        hint = " (a consolidated mean must be rounded to one)" if isinstance(raw, float) else ""
        raise ValidationFailed(f"{what} is a whole number from {low} to {high}{hint}", field=field)
    return raw


def _by_model(raw: Any, key: str, ids: list[str], shown: list[str], field: str) -> list[Any]:
    table = raw.get(key)
    if not isinstance(table, dict) or sorted(map(str, table)) != sorted(ids):
        raise ValidationFailed(f"{key} must give each of the item's models ({', '.join(ids)}) once",
                               field=f"{field}.{key}")
    return [table[m] for m in shown]


def _posted_form(c: Criterion, raw: dict[str, Any], ids: list[str], shown: list[str], field: str) -> Any:
    """A stored canonical answer (keyed by model id: what the review page's JSON box shows) as the
    element posts it (by position as shown), so either shape may be saved."""
    if raw.get("method") != c.method:
        raise ValidationFailed(f"{c.name!r} is answered with {c.method!r}, not {raw.get('method')!r}",
                               field=f"{field}.method")
    if c.method in ("thumbs", "likert"):
        return _by_model(raw, "ratings", ids, shown, field)
    if c.method == "rank":
        return _by_model(raw, "ranks", ids, shown, field)
    if c.method == "choice":
        chosen = raw.get("chosen")
        if chosen not in ids:
            raise ValidationFailed(f"chosen must be one of the item's models ({', '.join(ids)})", field=f"{field}.chosen")
        return shown.index(chosen) + 1
    choice = raw.get("choice")  # comparison-likert, in the item's order: as shown, it may be mirrored
    if isinstance(choice, int) and not isinstance(choice, bool) and shown[0] != ids[0]:
        return LIKERT_POINTS + 1 - choice
    return choice


def _answer(c: Criterion, raw: Any, ids: list[str], shown: list[str], field: str) -> dict[str, Any]:
    k = len(ids)
    if isinstance(raw, dict):
        raw = _posted_form(c, raw, ids, shown, field)
    if c.method == "thumbs":
        votes = _per_response(raw, k, field)
        for j, v in enumerate(votes):
            if v not in THUMBS:
                raise ValidationFailed("a thumb is 'up' or 'down'", field=f"{field}[{j}]")
        by_model = dict(zip(shown, votes, strict=True))
        return {"method": c.method, "ratings": {m: by_model[m] for m in ids}}
    if c.method == "likert":
        points = [_whole(v, 1, LIKERT_POINTS, "a rating", f"{field}[{j}]")
                  for j, v in enumerate(_per_response(raw, k, field))]
        by_model = dict(zip(shown, points, strict=True))
        return {"method": c.method, "ratings": {m: by_model[m] for m in ids}}
    if c.method == "rank":
        ranks = [_whole(v, 1, k, "a rank", f"{field}[{j}]") for j, v in enumerate(_per_response(raw, k, field))]
        if len(set(ranks)) != k:
            dup = next(j for j, r in enumerate(ranks) if r in ranks[:j])  # the second of the pair
            raise ValidationFailed(f"rank {ranks[dup]} is given twice: rank each response once", field=f"{field}[{dup}]")
        by_model = dict(zip(shown, ranks, strict=True))
        return {"method": c.method, "ranks": {m: by_model[m] for m in ids}}
    if c.method == "choice":
        pos = _whole(raw, 1, k, "the chosen response (its position as shown)", field)
        return {"method": c.method, "chosen": shown[pos - 1]}
    # comparison-likert: 1 = the first shown much better … 5 = the second shown much better
    choice = _whole(raw, 1, LIKERT_POINTS, "a comparison", field)
    if shown[0] != ids[0]:  # shown swapped: mirror onto the item's order
        choice = LIKERT_POINTS + 1 - choice
    winner = ids[0] if choice < 3 else ids[1] if choice > 3 else "tie"
    return {"method": c.method, "left": ids[0], "right": ids[1], "choice": choice, "winner": winner}


MODEL_EVALUATION = ModelEvaluationTaskType()
