"""The human model-evaluation report (docs/task-types/model-evaluation.md#report).

From every worker's latest answer on a ``model-evaluation`` project: per criterion and model the
figures its method calls for (thumbs: up/down and the share up; Likert: the 1-5 histogram and mean;
choice: how often chosen; rank: the rank histogram and mean; comparison Likert: per pair the 1-5
histogram and wins), agreement between raters per criterion (Krippendorff's alpha), and a
leaderboard of all models by Bradley-Terry over every pairwise outcome the comparison, choice and
rank answers imply, with bootstrap 95 % intervals and the win-rate matrix. Filterable by the items'
``category``. Exports: the report as JSON with one record per prompt in Amazon Bedrock's
human-evaluation output shape (core/formats/bedrock_evaluation.py, the same records ``export
--format bedrock-evaluation`` writes), or a self-contained HTML page.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..authz import authorize
from ..core.actor import Actor
from ..core.agreement import encode, krippendorff_alpha, krippendorff_alpha_interval
from ..core.consolidation.pairwise import bradley_terry
from ..core.errors import ValidationFailed
from ..core.formats.bedrock_evaluation import RATING_METHOD, bedrock_record, latest_answers
from ..core.tasktypes.evaluation import Criterion, evaluation_criteria
from ..db.engine import Database
from .exports import iter_items
from .projects import info_from_row, load_visible

__all__ = ["EvaluationAnswer", "evaluation_report", "build_report", "report_html", "BOOTSTRAP"]

BOOTSTRAP = 200  # resamples for the leaderboard's intervals (one Bradley-Terry fit each, ~ms)


@dataclass(frozen=True)
class EvaluationAnswer:
    """One worker's latest canonical answer on one item, with the item's record."""

    item: str
    worker: str
    value: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)


def evaluation_report(db: Database, actor: Actor, project_id: int, category: str | None = None, *,
                      with_records: bool = False) -> dict[str, Any]:
    """The report for a project the actor may see the figures of (``project.stats``); with
    ``with_records`` also ``records``, one per answered prompt in Bedrock's human-evaluation output
    shape (core/formats/bedrock_evaluation.py)."""
    authorize(actor, "project.stats")
    with db.read() as s:
        project = info_from_row(load_visible(s, actor, project_id))
    if project.type.name != "model-evaluation":
        raise ValidationFailed(f"the report is for model-evaluation projects; this one is {project.type.name}",
                               field="project_id")
    criteria = evaluation_criteria(project.spec)
    answers: list[EvaluationAnswer] = []
    records: list[dict[str, Any]] = []
    categories: set[str] = set()
    for item in iter_items(db, project):
        data = item.data
        cat = data.get("category")
        if isinstance(cat, str) and cat:
            categories.add(cat)
        if category and cat != category:
            continue
        latest = latest_answers(item)
        answers.extend(EvaluationAnswer(item.key, a.worker, a.value, data) for a in latest)
        if with_records and latest:
            records.append(bedrock_record(item.key, data, latest, criteria))
    report = build_report(answers, criteria)
    report["project"] = {"id": project.id, "name": project.name}
    report["category"] = category
    report["categories"] = sorted(categories)
    if with_records:
        report["records"] = records
    return report


def build_report(answers: Sequence[EvaluationAnswer], criteria: Sequence[Criterion],
                 bootstrap: int = BOOTSTRAP) -> dict[str, Any]:
    """Every figure of the report from plain answers (no database: tests build these by hand)."""
    models = sorted({m for a in answers for m in a.value.get("models", [])})
    out_criteria = []
    left: list[str] = []
    right: list[str] = []
    winner: list[str] = []
    for c in criteria:
        given = [(a, a.value["criteria"][c.name]) for a in answers if c.name in a.value.get("criteria", {})]
        out_criteria.append({"name": c.name, "description": c.description, "method": c.method,
                             "bedrockMethod": RATING_METHOD[c.method], "answers": len(given),
                             "models": _per_model(c.method, given, models),
                             **({"pairs": _pairs(given)} if c.method == "comparison-likert" else {}),
                             "agreement": _agreement(c.method, given)})
        for a, ans in given:
            for lw in _outcomes(c.method, ans, a.value.get("models", [])):
                left.append(lw[0])
                right.append(lw[1])
                winner.append(lw[2])
    return {"models": models, "raters": len({a.worker for a in answers}), "items": len({a.item for a in answers}),
            "criteria": out_criteria, "leaderboard": _leaderboard(models, left, right, winner, bootstrap),
            "winRate": _win_rate(models, left, right, winner), "comparisons": len(winner)}


def _per_model(method: str, given: list[tuple[EvaluationAnswer, dict[str, Any]]], models: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in models:
        if method == "thumbs":
            votes = [ans["ratings"][m] for _, ans in given if m in ans["ratings"]]
            up = votes.count("up")
            out[m] = {"up": up, "down": len(votes) - up, "percentUp": _pct(up, len(votes))}
        elif method in ("likert", "rank"):
            key = "ratings" if method == "likert" else "ranks"
            vals = [int(ans[key][m]) for _, ans in given if m in ans[key]]
            top = 5 if method == "likert" else max((len(ans[key]) for _, ans in given), default=0)
            hist = {str(v): vals.count(v) for v in range(1, top + 1)}
            mean = round(sum(vals) / len(vals), 3) if vals else None
            out[m] = {"histogram": hist, "mean" if method == "likert" else "meanRank": mean, "n": len(vals)}
        elif method == "choice":
            shown = [ans for a, ans in given if m in a.value.get("models", [])]
            chosen = sum(1 for ans in shown if ans["chosen"] == m)
            out[m] = {"chosen": chosen, "shown": len(shown), "percentChosen": _pct(chosen, len(shown))}
        else:  # comparison-likert: wins over the pairs it was in
            games = [ans for _, ans in given if m in (ans["left"], ans["right"])]
            wins = sum(1 for ans in games if ans["winner"] == m)
            ties = sum(1 for ans in games if ans["winner"] == "tie")
            out[m] = {"wins": wins, "ties": ties, "losses": len(games) - wins - ties,
                      "percentWins": _pct(wins, len(games))}
    return out


def _pairs(given: list[tuple[EvaluationAnswer, dict[str, Any]]]) -> list[dict[str, Any]]:
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for _, ans in given:
        by_pair[(ans["left"], ans["right"])].append(int(ans["choice"]))
    return [{"left": lft, "right": rgt, "histogram": {str(v): vs.count(v) for v in range(1, 6)}, "n": len(vs)}
            for (lft, rgt), vs in sorted(by_pair.items())]


def _agreement(method: str, given: list[tuple[EvaluationAnswer, dict[str, Any]]]) -> dict[str, Any]:
    """Krippendorff's alpha over the units each method rates: (item, model) for per-response methods."""
    units: list[Hashable] = []
    values: list[Any] = []
    for a, ans in given:
        if method in ("thumbs", "likert", "rank"):
            for m, v in ans["ratings" if method != "rank" else "ranks"].items():
                units.append((a.item, m))
                values.append(v)
        else:
            units.append(a.item)
            values.append(ans["chosen"] if method == "choice" else ans["choice"])
    if not units:
        return {"alpha": None, "level": None, "units": 0}
    unit_codes, _ = encode(units)
    if method in ("thumbs", "choice"):
        value_codes, _ = encode(values)
        alpha, level = krippendorff_alpha(unit_codes, value_codes), "nominal"
    else:
        alpha, level = krippendorff_alpha_interval(unit_codes, np.asarray(values, dtype=np.float64)), "interval"
    counts = np.bincount(unit_codes)
    return {"alpha": None if alpha is None else round(alpha, 3), "level": level,
            "units": int((counts >= 2).sum())}


def _outcomes(method: str, ans: dict[str, Any], models: Sequence[str]) -> Iterable[tuple[str, str, str]]:
    """The pairwise outcomes (left, right, "left" | "right" | "tie") one answer implies."""
    if method == "comparison-likert":
        w = ans["winner"]
        yield ans["left"], ans["right"], "tie" if w == "tie" else ("left" if w == ans["left"] else "right")
    elif method == "choice":
        for m in models:
            if m != ans["chosen"]:
                yield ans["chosen"], m, "left"
    elif method == "rank":
        ranks = ans["ranks"]
        ids = [m for m in models if m in ranks]
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                yield a, b, "left" if ranks[a] < ranks[b] else "right" if ranks[a] > ranks[b] else "tie"


def _leaderboard(models: list[str], left: list[str], right: list[str], winner: list[str],
                 bootstrap: int) -> list[dict[str, Any]]:
    if not winner:
        return []
    fit = bradley_terry(left, right, winner, bootstrap=bootstrap, seed=0)
    rows = []
    for k, m in enumerate(fit.items):
        row: dict[str, Any] = {"model": m, "rank": fit.ranks[k], "score": round(fit.scores[k], 4),
                               "comparisons": fit.comparisons[k]}
        if fit.ci_low:
            row["ci95"] = [round(fit.ci_low[k], 4), round(fit.ci_high[k], 4)]
        rows.append(row)
    return rows


def _win_rate(models: list[str], left: list[str], right: list[str], winner: list[str]) -> dict[str, dict[str, Any]]:
    """``[a][b]``: a's share of its comparisons with b won (a tie is half), None where they never met."""
    wins: dict[tuple[str, str], float] = defaultdict(float)
    games: dict[tuple[str, str], int] = defaultdict(int)
    for a, b, w in zip(left, right, winner, strict=True):
        games[(a, b)] += 1
        games[(b, a)] += 1
        score = 1.0 if w == "left" else 0.0 if w == "right" else 0.5
        wins[(a, b)] += score
        wins[(b, a)] += 1.0 - score
    return {a: {b: (round(wins[(a, b)] / games[(a, b)], 3) if games[(a, b)] else None) for b in models if b != a}
            for a in models}


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def report_html(report: dict[str, Any]) -> str:
    """The report as one self-contained page (inline CSS, no script, every value escaped)."""
    e = html.escape
    models: list[str] = report["models"]
    parts = [f"<h1>Model evaluation: {e(str(report.get('project', {}).get('name', '')))}</h1>",
             f"<p>{_count(report['items'], 'prompt')}, {_count(report['raters'], 'rater')}, "
             f"{_count(report['comparisons'], 'pairwise outcome')}"
             + (f"; category <strong>{e(report['category'])}</strong>" if report.get("category") else "") + "</p>",
             "<h2>Leaderboard (Bradley-Terry, bootstrap 95 % interval)</h2>",
             "<table><tr><th>Rank</th><th>Model</th><th>Score</th><th>95 % interval</th><th>Comparisons</th></tr>"]
    for row in report["leaderboard"]:
        ci = row.get("ci95")
        parts.append(f"<tr><td>{row['rank']}</td><td>{e(row['model'])}</td><td>{row['score']:.3f}</td>"
                     f"<td>{'' if ci is None else f'{ci[0]:.3f} – {ci[1]:.3f}'}</td><td>{row['comparisons']}</td></tr>")
    parts.append("</table><h2>Win rate (row beats column)</h2><table><tr><th></th>"
                 + "".join(f"<th>{e(m)}</th>" for m in models) + "</tr>")
    for a in models:
        cells = "".join("<td>–</td>" if a == b or report["winRate"][a].get(b) is None
                        else f"<td>{100 * report['winRate'][a][b]:.0f} %</td>" for b in models)
        parts.append(f"<tr><th>{e(a)}</th>{cells}</tr>")
    parts.append("</table>")
    for c in report["criteria"]:
        alpha = c["agreement"]["alpha"]
        parts.append(f"<h2>{e(c['name'])} <small>({e(c['method'])}; agreement α = "
                     f"{'n/a' if alpha is None else f'{alpha:.2f}'})</small></h2>"
                     + (f"<p>{e(c['description'])}</p>" if c["description"] else "") + "<table>")
        for m, fig in c["models"].items():
            parts.append(f"<tr><th>{e(m)}</th><td>{_figure_html(c['method'], fig)}</td></tr>")
        for pair in c.get("pairs", []):  # comparison Likert: 1 = left much better … 5 = right much better
            parts.append(f"<tr><th>{e(pair['left'])} vs {e(pair['right'])}</th><td>"
                         + _figure_html(c["method"], {"histogram": pair["histogram"], "mean": None}) + "</td></tr>")
        parts.append("</table>")
    style = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;"
             "margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}"
             ".bar{display:inline-block;height:.8rem;background:#2563eb;vertical-align:middle}"
             ".hist span{display:inline-block;margin-right:1rem}")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Model evaluation report</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _figure_html(method: str, fig: dict[str, Any]) -> str:
    if "histogram" in fig:
        total = max(1, sum(fig["histogram"].values()))
        bars = "".join(f"<span>{k}: <i class=\"bar\" style=\"width:{4 * v / total:.2f}rem\"></i> {v}</span>"
                       for k, v in fig["histogram"].items())
        mean = fig.get("mean", fig.get("meanRank"))
        return f"<div class=\"hist\">{bars}</div>" + ("" if mean is None else f"mean {mean}")
    pct = fig.get("percentUp", fig.get("percentChosen", fig.get("percentWins")))
    width = 0.0 if pct is None else 8 * pct / 100
    label = {"thumbs": "up", "choice": "chosen", "comparison-likert": "wins"}[method]
    return f"<i class=\"bar\" style=\"width:{width:.2f}rem\"></i> {'' if pct is None else pct} % {label}"
