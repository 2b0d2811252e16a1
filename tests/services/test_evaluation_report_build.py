"""build_report and its exports without a database: the comparison Likert (pairs, ties, wins),
outcomes from replies the generate job stored and an escaped HTML page (the Bedrock records:
tests/core/test_bedrock_evaluation.py)."""

from __future__ import annotations

from typing import Any

from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.evaluation import MODEL_EVALUATION, evaluation_criteria
from labelworks.services.evaluation import EvaluationAnswer, build_report, report_html

SPEC = ProjectSpec(parse_label_config({"labels": [{"label": "evaluation"}], "criteria": [
    {"name": "head to head", "method": "comparison-likert"}, {"name": "helpful", "method": "thumbs"}]}))
# two models, replies only from the generate job (lw-generations), one name that is HTML
ITEM = {"prompt": "Say hi", "category": "chat", "lw-generations": {
    "<script>x</script>": {"text": "Hello!", "generation_id": 1, "finish_reason": "stop"},
    "small": {"text": "hi", "generation_id": 2, "finish_reason": "stop"}}}


def _answer(worker: str, choice: int, thumbs: list[str], shown: list[str] | None = None) -> EvaluationAnswer:
    value: dict[str, Any] = {"criteria": {"head to head": choice, "helpful": thumbs}}
    if shown:
        value["displayOrder"] = shown
    return EvaluationAnswer("p1", worker, MODEL_EVALUATION.normalize_with_item(value, SPEC, ITEM), ITEM)


def test_comparison_likert_pairs_ties_and_leaderboard() -> None:
    big = "<script>x</script>"
    answers = [_answer("w1", 1, ["up", "down"]), _answer("w2", 2, ["up", "up"]),
               _answer("w3", 3, ["up", "down"]),  # about the same: a tie
               _answer("w4", 5, ["down", "up"], shown=["small", big])]  # "the second shown much better": big
    report = build_report(answers, evaluation_criteria(SPEC), bootstrap=50)
    assert report["models"] == [big, "small"]
    head = report["criteria"][0]
    assert head["pairs"] == [{"left": big, "right": "small", "histogram": {"1": 2, "2": 1, "3": 1, "4": 0, "5": 0},
                              "n": 4}]
    assert head["models"][big] == {"wins": 3, "ties": 1, "losses": 0, "percentWins": 75.0}
    assert head["models"]["small"]["losses"] == 3
    assert report["winRate"][big]["small"] == 0.875  # three wins and a half
    assert [row["model"] for row in report["leaderboard"]] == [big, "small"]
    # w4 saw small first: its "down" is for small
    assert report["criteria"][1]["models"]["small"] == {"up": 1, "down": 3, "percentUp": 25.0}
    page = report_html(report)
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "1 prompt, 4 raters, 4 pairwise outcomes" in page and "&lt;script&gt;x&lt;/script&gt; vs small" in page


def test_no_answers_no_leaderboard() -> None:
    report = build_report([], evaluation_criteria(SPEC))
    assert report["leaderboard"] == [] and report["winRate"] == {} and report["comparisons"] == 0
    assert report["criteria"][0]["agreement"] == {"alpha": None, "level": None, "units": 0}
    assert "Leaderboard" in report_html(report)


def test_the_report_page_shows_the_comparison_pairs() -> None:
    from jinja2 import Environment, FileSystemLoader

    from labelworks.web.rendering import templates

    answers = [_answer("w1", 1, ["up", "down"]), _answer("w2", 4, ["up", "up"])]
    report = build_report(answers, evaluation_criteria(SPEC), bootstrap=20)
    report.update(category=None, categories=["chat"])
    env: Environment = templates.env
    assert isinstance(env.loader, FileSystemLoader)
    html = env.get_template("_evaluation_report.html").render(r=report, p={"id": 1})
    assert "&lt;script&gt;x&lt;/script&gt; vs small" in html and "<strong>4:</strong>" in html
