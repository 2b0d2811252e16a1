"""Spans: Jaccard clusters, boundaries by mode then median, label vote, invariances."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.spans import consolidate_spans

ORDER = ["PER", "LOC", "ORG"]


def ent(label: str, start: int, end: int) -> dict[str, object]:
    return {"label": label, "startOffset": start, "endOffset": end}


def test_boundaries_by_mode_then_median_and_label_by_vote() -> None:
    answers = [
        ("a", {"entities": [ent("PER", 0, 5), ent("LOC", 10, 16)]}),
        ("b", {"entities": [ent("PER", 0, 5), ent("LOC", 11, 16)]}),
        ("c", {"entities": [ent("ORG", 0, 6), ent("LOC", 12, 16)]}),
    ]
    result = consolidate_spans(answers, label_order=ORDER)
    # PER: starts 0,0,0 and ends 5,5,6 -> mode (0, 5); label PER 2:1
    # LOC: starts 10,11,12 all tie -> median 11; end 16
    assert result.value == {"entities": [ent("PER", 0, 5), ent("LOC", 11, 16)]}
    per, loc = result.object_confidence
    assert per == pytest.approx(round(1.0 * (1 + 1 + 5 / 6) / 3 * 2 / 3, 4))
    assert loc == pytest.approx(round((5 / 6 + 1 + 4 / 5) / 3, 4))


def test_lone_entity_is_dropped_and_lowers_the_item_confidence() -> None:
    answers = [("a", {"entities": [ent("PER", 0, 5)]}), ("b", {"entities": [ent("PER", 0, 5)]}),
               ("c", {"entities": [ent("PER", 0, 5), ent("ORG", 20, 30)]})]
    result = consolidate_spans(answers, label_order=ORDER)
    assert result.value == {"entities": [ent("PER", 0, 5)]}
    assert result.object_confidence == (1.0,)
    assert result.confidence == pytest.approx(round((1.0 + 2 / 3) / 2, 4))


def test_single_worker_is_zero_confidence() -> None:
    result = consolidate_spans([("a", {"entities": [ent("PER", 0, 5)]})])
    assert result.value == {"entities": [ent("PER", 0, 5)]}
    assert result.confidence == 0.0 and result.object_confidence == (0.0,)


def test_low_overlap_spans_stay_apart() -> None:
    # Jaccard of [0,10) and [8,20) is 2/20: below 0.5, so two clusters of one each, both dropped
    answers = [("a", {"entities": [ent("PER", 0, 10)]}), ("b", {"entities": [ent("PER", 8, 20)]})]
    assert consolidate_spans(answers).value == {"entities": []}
    assert consolidate_spans(answers, jaccard_threshold=0.1, quorum=2).value == {"entities": [ent("PER", 0, 10)]}


def test_bad_offsets_name_the_field() -> None:
    with pytest.raises(ValueError, match=r"entities\[0\]\.startOffset"):
        consolidate_spans([("a", {"entities": [{"label": "PER", "startOffset": -1, "endOffset": 2}]})])
    with pytest.raises(ValueError, match="must be greater"):
        consolidate_spans([("a", {"entities": [ent("PER", 5, 5)]})])


def test_similarity_is_span_f1() -> None:
    a = {"entities": [ent("PER", 0, 5), ent("LOC", 10, 16)]}
    assert similarity("spans", a, a) == 1.0
    assert similarity("spans", a, {"entities": [ent("PER", 0, 5)]}) == pytest.approx(2 / 3)
    assert similarity("spans", {"entities": [ent("PER", 0, 4)]}, {"entities": [ent("PER", 0, 5)]}) == 0.8


spans = st.lists(st.tuples(st.sampled_from(ORDER), st.integers(0, 40), st.integers(1, 12)), max_size=4)


@settings(max_examples=60, deadline=None)
@given(st.lists(spans, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_worker_order_and_names_do_not_change_the_answer(raw: list[list[tuple[str, int, int]]], rnd: object) -> None:
    answers = [(f"w{i}", {"entities": [ent(lab, s, s + n) for lab, s, n in es]}) for i, es in enumerate(raw)]
    base = consolidate_spans(answers, label_order=ORDER)
    shuffled = list(answers)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert consolidate_spans(shuffled, label_order=ORDER) == base
    reversed_lists = [(f"z{i}", {"entities": v["entities"][::-1]}) for i, (_, v) in enumerate(shuffled)]
    assert consolidate_spans(reversed_lists, label_order=ORDER) == base


@settings(max_examples=60, deadline=None)
@given(st.lists(spans, min_size=1, max_size=5), st.permutations(ORDER))
def test_renaming_the_labels_renames_the_answer(raw: list[list[tuple[str, int, int]]], renamed: list[str]) -> None:
    rename = dict(zip(ORDER, renamed, strict=True))
    answers = [(f"w{i}", {"entities": [ent(lab, s, s + n) for lab, s, n in es]}) for i, es in enumerate(raw)]
    moved = [(w, {"entities": [{**e, "label": rename[e["label"]]} for e in v["entities"]]}) for w, v in answers]
    base = consolidate_spans(answers, label_order=ORDER)
    other = consolidate_spans(moved, label_order=[rename[x] for x in ORDER])
    expected = sorted((repr({**e, "label": rename[e["label"]]}), c)
                      for e, c in zip(base.value["entities"], base.object_confidence, strict=True))  # type: ignore[arg-type]
    assert sorted((repr(e), c) for e, c in zip(other.value["entities"], other.object_confidence, strict=True)) == expected  # type: ignore[arg-type]
    assert other.confidence == base.confidence
