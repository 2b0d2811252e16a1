"""TRL rows from text-ranking answers: ties skipped, margins, the chosen preference, KTO classes."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from labelworks.core.consolidation.majority import Consolidated
from labelworks.core.errors import ValidationFailed
from labelworks.core.formats.records import ExportItem
from labelworks.core.formats.trl import preference_source, trl_rows
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec

DATA = {"prompt": "Q", "responses": ["A", "B", "C", "D"]}


def _item(value: dict[str, Any] | None) -> ExportItem:
    answer = Consolidated(value=value, confidence=1.0) if value is not None else None
    return ExportItem(id=1, key="k1", data_raw=orjson.dumps(DATA), answer=answer)


def _value(ranks: list[int], classes: dict[str, list[str]] | None = None) -> dict[str, Any]:
    ids = ["r1", "r2", "r3", "r4"]
    value: dict[str, Any] = {"responseIds": ids, "ordinalRankingDimensions": [
        {"name": "overall", "responseRankings": ranks}, {"name": "style", "responseRankings": [1, 2, 3, 4]}]}
    if classes is not None:
        value["responseClassifications"] = [{"responseId": x, "labels": classes.get(x, [])} for x in ids]
    return value


def _spec(**doc: Any) -> ProjectSpec:
    return ProjectSpec(parse_label_config({"labels": [{"label": "overall", "allowTie": True}, {"label": "style"}],
                                           "responseClasses": ["good", "bad", "meh"], **doc}))


def _text(messages: list[dict[str, str]]) -> str:
    return messages[-1]["content"]


def test_k_way_ranking_expands_to_pairs_without_ties() -> None:
    rows = list(trl_rows("dpo", [_item(_value([2, 1, 2, 4])), _item(None)], _spec()))
    # B beats A, C, D; A and C tie (skipped); both beat D
    assert [(_text(r["chosen"]), _text(r["rejected"]), r["margin"]) for r in rows] == [
        ("B", "A", 1.0), ("B", "C", 1.0), ("B", "D", 3.0), ("A", "D", 2.0), ("C", "D", 2.0)]
    assert rows[0]["prompt"] == [{"role": "user", "content": "Q"}]


def test_the_export_dimension_is_configurable() -> None:
    spec = _spec(export={"preference": "style"})
    assert preference_source(spec) == "style"
    rows = list(trl_rows("reward", [_item(_value([4, 3, 2, 1]))], spec))
    assert len(rows) == 6 and _text(rows[0]["chosen"]) == "A" and rows[0]["chosen"][0]["role"] == "user"
    with pytest.raises(ValidationFailed) as err:
        preference_source(_spec(export={"preference": "nope"}))
    assert err.value.field == "labels.export.preference"


def test_kto_labels_from_classes() -> None:
    classes = {"r1": ["good"], "r2": ["good", "bad"], "r3": ["meh"]}
    rows = list(trl_rows("kto", [_item(_value([1, 2, 3, 4], classes))], _spec()))
    # default classes: "good" desirable, "bad" undesirable (it wins over "good"), "meh" and none: no row
    assert [(_text(r["completion"]), r["label"]) for r in rows] == [("A", True), ("B", False)]
    custom = _spec(kto={"desirable": ["meh"], "undesirable": ["bad"]})
    assert [(_text(r["completion"]), r["label"]) for r in trl_rows("kto", [_item(_value([1, 2, 3, 4], classes))],
                                                                      custom)] == [("B", False), ("C", True)]


def test_standard_text_form() -> None:
    value = _value([1, 2, 3, 4], {"r1": ["good"]})
    dpo = next(trl_rows("dpo-text", [_item(value)], _spec()))
    assert dpo == {"prompt": "Q", "chosen": "A", "rejected": "B", "margin": 1.0}
    reward = next(trl_rows("reward-text", [_item(value)], _spec()))
    assert reward == {"chosen": "Q\n\nA", "rejected": "Q\n\nB", "margin": 1.0}
    assert list(trl_rows("kto-text", [_item(value)], _spec())) == [{"prompt": "Q", "completion": "A", "label": True}]
    chat = ExportItem(id=2, key="chat-1", data_raw=orjson.dumps({
        "messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}], "responses": ["A", "B", "C", "D"]}),
        answer=Consolidated(value=value, confidence=1.0))
    with pytest.raises(ValidationFailed, match="'chat-1'.*single-turn") as err:
        list(trl_rows("dpo-text", [chat], _spec()))
    assert err.value.field == "format"
