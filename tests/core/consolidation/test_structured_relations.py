"""Named-entity consolidation: entities by span consensus, relations through the span matching,
document labels by vote. Hand-made golden cases, one answer, and invariance to reordering."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.base import Answer
from labelworks.core.consolidation.structured.consolidators import SpanJaccardConsensus
from labelworks.core.consolidation.structured.relations import consolidate_ner, match_to_consensus
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec

LABELS = parse_label_config({"labels": [{"label": "person"}, {"label": "org"}, {"label": "place"}],
                             "relations": ["works_for", "located_in"],
                             "documentLabels": {"labels": ["business", "sports", "tech"], "multi": True}})
SINGLE_DOC = parse_label_config({"labels": [{"label": "person"}], "documentLabels": ["news", "opinion"]})

# "Tim Cook runs Apple in Cupertino."
TIM, APPLE, CUPERTINO = ("person", 0, 8), ("org", 14, 19), ("place", 23, 32)


def answer(spans: list[tuple[str, int, int]], relations: list[tuple[str, int, int]] = (),  # type: ignore[assignment]
           doc: list[str] = (), ids: list[str] | None = None) -> dict[str, Any]:  # type: ignore[assignment]
    """A worker's canonical answer; ``relations`` are (label, from index, to index) into ``spans``."""
    ids = ids or [f"e{i + 1}" for i in range(len(spans))]
    value: dict[str, Any] = {"entities": [{"label": lab, "startOffset": a, "endOffset": b, "id": ids[i]}
                                          for i, (lab, a, b) in enumerate(spans)]}
    if relations:
        value["relations"] = [{"label": lab, "from": ids[f], "to": ids[t]} for lab, f, t in relations]
    if doc:
        value["documentLabels"] = list(doc)
    return value


def ents(*spans: tuple[str, int, int]) -> list[dict[str, Any]]:
    return [{"label": lab, "startOffset": a, "endOffset": b, "id": f"e{i + 1}"} for i, (lab, a, b) in enumerate(spans)]


def test_three_workers_agree_on_entities_relations_and_document_labels() -> None:
    full = answer([TIM, APPLE, CUPERTINO], [("works_for", 0, 1), ("located_in", 1, 2)], ["business", "tech"])
    # the second worker lists them in another order, with other ids and a one-character-longer span
    other = answer([CUPERTINO, ("org", 14, 20), TIM], [("located_in", 1, 0), ("works_for", 2, 1)], ["tech"],
                   ids=["c", "a", "t"])
    # the third drew Apple as a place and no relations
    third = answer([TIM, ("place", 14, 19)], doc=["tech"])
    out = consolidate_ner([("w1", full), ("w2", other), ("w3", third)], LABELS)
    assert out.value == {
        "entities": ents(TIM, APPLE, CUPERTINO),
        "relations": [{"label": "works_for", "from": "e1", "to": "e2"},
                      {"label": "located_in", "from": "e2", "to": "e3"}],
        "documentLabels": ["tech"],  # business: one of three
    }
    # Tim: all agree (1.0); Apple: all three, mean Jaccard (1 + 5/6 + 1)/3, label share 2/3; Cupertino: two of three
    assert out.object_confidence == pytest.approx((1.0, (2 + 5 / 6) / 3 * 2 / 3, 2 / 3), abs=1e-4)
    # each relation: two of three workers, the only label drawn on its pair
    assert out.confidence_map == pytest.approx({"relations[0]": 2 / 3, "relations[1]": 2 / 3,
                                                "documentLabels.tech": 1.0}, abs=1e-4)
    assert out.votes == 3 and 0 < out.confidence < 1


def test_a_relation_needs_a_quorum_and_both_ends_kept() -> None:
    a = answer([TIM, APPLE], [("works_for", 0, 1)])
    b = answer([TIM, APPLE], [("located_in", 0, 1)])
    c = answer([TIM, APPLE, CUPERTINO], [("works_for", 0, 1), ("located_in", 1, 2)])
    out = consolidate_ner([("a", a), ("b", b), ("c", c)], LABELS)
    # works_for 2/3 kept (share of the pair's relations 2/3); located_in Tim->Apple 1/3 dropped;
    # Cupertino (1/3) is not kept, so the relation to it goes too
    assert out.value == {"entities": ents(TIM, APPLE),
                         "relations": [{"label": "works_for", "from": "e1", "to": "e2"}]}
    assert out.confidence_map == pytest.approx({"relations[0]": 2 / 3 * 2 / 3}, abs=1e-4)
    # a lower quorum (one worker) keeps every drawn relation whose ends survive
    loose = consolidate_ner([("a", a), ("b", b), ("c", c)], LABELS, quorum=1)
    assert [r["label"] for r in loose.value["relations"]] == ["located_in", "works_for", "located_in"]  # type: ignore[index]


def test_a_split_span_does_not_relate_an_entity_to_itself() -> None:
    # the third worker split "Tim Cook" in two and related the halves: "Cook" matches the consensus
    # "Tim Cook" (Jaccard 0.5), "Tim" (3/8) matches nothing, so the relation has one end and goes;
    # the matching is one to one, so two of a worker's spans never stand for one entity
    split = answer([("person", 0, 3), ("person", 4, 8)], [("works_for", 0, 1)])
    whole = answer([TIM])
    out = consolidate_ner([("a", whole), ("b", whole), ("c", split)], LABELS)
    assert out.value == {"entities": ents(TIM)}
    assert out.confidence_map == {}


def test_single_document_label_is_the_heaviest_with_a_majority() -> None:
    def doc(labels: list[str]) -> dict[str, Any]:
        return {"entities": [], "documentLabels": labels} if labels else {"entities": []}

    out = consolidate_ner([("a", doc(["news"])), ("b", doc(["news"])), ("c", doc(["opinion"]))], SINGLE_DOC)
    assert out.value == {"entities": [], "documentLabels": ["news"]}
    assert out.confidence_map == pytest.approx({"documentLabels.news": 2 / 3}, abs=1e-4)
    split = consolidate_ner([("a", doc(["news"])), ("b", doc(["opinion"])), ("c", doc([]))], SINGLE_DOC)
    assert split.value == {"entities": []}  # a third each: no majority


def test_multi_document_labels_by_per_label_majority() -> None:
    values = [answer([], doc=["business", "tech"]), answer([], doc=["tech", "sports"]), answer([], doc=["business"])]
    out = consolidate_ner([(f"w{i}", v) for i, v in enumerate(values)], LABELS)
    assert out.value["documentLabels"] == ["business", "tech"]


def test_one_answer_has_confidence_zero() -> None:
    one = answer([TIM, APPLE], [("works_for", 0, 1)], ["tech"])
    out = consolidate_ner([("only", one)], LABELS)
    assert out.value == {"entities": ents(TIM, APPLE), "relations": [{"label": "works_for", "from": "e1", "to": "e2"}],
                         "documentLabels": ["tech"]}
    assert out.confidence == 0.0 and out.object_confidence == (0.0, 0.0)
    assert set(out.confidence_map.values()) == {0.0}


def test_worker_weights_decide_relations_and_document_labels() -> None:
    trusted = answer([TIM, APPLE], [("works_for", 0, 1)], ["sports"])
    others = answer([TIM, APPLE], doc=["tech"])
    out = consolidate_ner([("t", trusted), ("o1", others), ("o2", others)], LABELS,
                          weights={"t": 1.0, "o1": 0.2, "o2": 0.2})
    assert out.value["relations"] == [{"label": "works_for", "from": "e1", "to": "e2"}]
    assert out.value["documentLabels"] == ["sports"]


def test_the_registered_consolidator_keeps_relations_and_scores_workers() -> None:
    spec = ProjectSpec(labels=LABELS)
    good = answer([TIM, APPLE], [("works_for", 0, 1)])
    answers = [Answer("doc1", "a", good), Answer("doc1", "b", good), Answer("doc1", "c", answer([CUPERTINO]))]
    fit = SpanJaccardConsensus().fit(answers, spec, {})
    assert fit.results["doc1"].value == {"entities": ents(TIM, APPLE),
                                         "relations": [{"label": "works_for", "from": "e1", "to": "e2"}]}
    assert fit.worker_quality["a"] == 1.0 and fit.worker_quality["c"] == 0.0
    gold = fit.results["doc1"].value
    with_gold = SpanJaccardConsensus().fit(answers, spec, {}, gold={"doc1": gold})
    assert with_gold.results["doc1"].confidence == 1.0 and with_gold.results["doc1"].object_confidence == (1.0, 1.0)


def test_match_to_consensus_pairs_like_with_like_above_the_threshold() -> None:
    consensus = [("person", 0, 8), ("org", 0, 8), ("org", 20, 30)]
    assert match_to_consensus([("org", 0, 8), ("person", 0, 8)], consensus, 0.5) == {0: 1, 1: 0}
    assert match_to_consensus([("org", 40, 50)], consensus, 0.5) == {}
    assert match_to_consensus([], consensus, 0.5) == {}


_span = st.tuples(st.sampled_from(["person", "org", "place"]), st.integers(0, 30), st.integers(1, 6)).map(
    lambda t: (t[0], t[1], t[1] + t[2]))


@st.composite
def _worker(draw: st.DrawFn) -> dict[str, Any]:
    spans = sorted(set(draw(st.lists(_span, max_size=5))))
    rels = []
    if len(spans) > 1:
        for _ in range(draw(st.integers(0, 3))):
            f, t = draw(st.sampled_from([(i, j) for i in range(len(spans)) for j in range(len(spans)) if i != j]))
            rels.append((draw(st.sampled_from(["works_for", "located_in"])), f, t))
    rels = sorted(set(rels))
    doc = draw(st.lists(st.sampled_from(["business", "sports", "tech"]), unique=True, max_size=2))
    return answer(spans, rels, doc)


@given(workers=st.lists(_worker(), min_size=1, max_size=4), data=st.data())
@settings(max_examples=60, deadline=None)
def test_invariant_to_worker_order_names_and_entity_order(workers: list[dict[str, Any]], data: st.DataObject) -> None:
    named = [(f"w{i}", v) for i, v in enumerate(workers)]
    base = consolidate_ner(named, LABELS)
    # shuffle the workers, rename them, and shuffle each worker's entities with fresh ids
    perm = data.draw(st.permutations(range(len(workers))))
    shuffled = []
    for k, i in enumerate(perm):
        value = workers[i]
        order = data.draw(st.permutations(range(len(value["entities"]))))
        new_ids = {value["entities"][j]["id"]: f"x{n}" for n, j in enumerate(order)}
        moved: dict[str, Any] = {"entities": [{**value["entities"][j], "id": new_ids[value["entities"][j]["id"]]}
                                              for j in order]}
        if "relations" in value:
            moved["relations"] = [{**r, "from": new_ids[r["from"]], "to": new_ids[r["to"]]}
                                  for r in reversed(value["relations"])]
        if "documentLabels" in value:
            moved["documentLabels"] = list(reversed(value["documentLabels"]))
        shuffled.append((f"z{len(workers) - k}", moved))
    again = consolidate_ner(shuffled, LABELS)
    assert again.value == base.value
    assert again.confidence == base.confidence and again.object_confidence == base.object_confidence
    assert again.confidence_map == base.confidence_map
    ids = {e["id"] for e in base.value["entities"]}  # type: ignore[attr-defined]
    for rel in base.value.get("relations", []):  # type: ignore[attr-defined]
        assert rel["from"] in ids and rel["to"] in ids and rel["from"] != rel["to"]
