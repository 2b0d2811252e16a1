"""Relation agreement (entities paired by the entity agreement's rule) and document-label agreement
(nominal alpha / Fleiss' kappa on the set chosen), against numbers worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.agreement import set_agreement
from labelworks.core.span_metrics import entity_pairs, relation_overlap


def _ent(label: str, start: int, end: int, ent_id: str) -> dict[str, Any]:
    return {"label": label, "startOffset": start, "endOffset": end, "id": ent_id}


def _rel(label: str, head: str, tail: str) -> dict[str, str]:
    return {"label": label, "from": head, "to": tail}


# "Tim Cook runs Apple in Cupertino.": Tim Cook 0-8, Apple 14-19, Cupertino 23-32
A = {"entities": [_ent("person", 0, 8, "t"), _ent("corporation", 14, 19, "a"), _ent("location", 23, 32, "c")],
     "relations": [_rel("works_for", "t", "a"), _rel("located_in", "a", "c")]}
# B marks only "Tim" (Jaccard 3/8 with "Tim Cook": still paired), lists its entities in another
# order, draws located_in the other way round and adds a relation A does not have
B = {"entities": [_ent("location", 23, 32, "x3"), _ent("person", 0, 3, "x1"), _ent("corporation", 14, 19, "x2")],
     "relations": [_rel("works_for", "x1", "x2"), _rel("located_in", "x3", "x2"), _rel("part_of", "x2", "x3")]}


def test_entities_pair_like_the_entity_agreement() -> None:
    assert entity_pairs(A, B) == {0: 1, 1: 2, 2: 0}
    # a span of another label never pairs, however well it overlaps
    relabelled = {"entities": [_ent("location", 0, 8, "t")]}
    assert entity_pairs(A, relabelled) == {} and entity_pairs(A, {"entities": []}) == {}


def test_relation_overlap_counts_by_hand() -> None:
    # works_for agrees (ends paired, same label, same direction); located_in reversed; part_of only in B
    assert relation_overlap(A, B) == (1, 2, 3)
    assert relation_overlap(B, A) == (1, 3, 2)  # symmetric
    assert relation_overlap(A, A) == (2, 2, 2)
    # the tail relabelled in C: its entity no longer pairs with A's, so works_for does not agree
    c = {"entities": [_ent("person", 0, 8, "p"), _ent("location", 14, 19, "q")],
         "relations": [_rel("works_for", "p", "q")]}
    assert relation_overlap(A, c) == (0, 2, 1)
    # neither drew a relation; a relation whose end id is unknown is not counted
    assert relation_overlap({"entities": []}, {"entities": [], "relations": [_rel("x", "e1", "e2")]}) == (0, 0, 0)


def test_document_label_alpha_and_kappa_by_hand() -> None:
    # item 1: business / business; item 2: sports / business; item 3: sports / sports.
    # coincidences: n_business = n_sports = 3, n = 6, disagreeing pairs o_bs + o_sb = 2
    #   alpha = 1 - (n - 1) * 2 / (n² - Σ n_c²) = 1 - 5 * 2 / (36 - 18) = 4/9
    #   Fleiss: P_i = 1, 0, 1 -> P̄ = 2/3; p_e = 0.5² + 0.5² = 0.5 -> kappa = (2/3 - 1/2) / (1/2) = 1/3
    items = [1, 1, 2, 2, 3, 3]
    workers = ["u", "v"] * 3
    chosen = [["business"], ["business"], ["sports"], ["business"], ["sports"], ["sports"]]
    result = set_agreement(items, workers, chosen, ["business", "sports", "weather"])
    assert result.alpha == pytest.approx(4 / 9, abs=1e-4) and result.fleiss_kappa == pytest.approx(1 / 3, abs=1e-4)
    assert (result.items, result.answers) == (3, 6)
    # per label, the yes/no question has the same pattern here; a label nobody chose is undefined
    assert result.per_label["business"] == {"alpha": 0.4444, "kappa": 0.3333}
    assert result.per_label["sports"] == {"alpha": 0.4444, "kappa": 0.3333}
    assert result.per_label["weather"] == {"alpha": None, "kappa": None}


def test_document_label_sets_and_the_empty_set() -> None:
    # multi-label: item 1 {a, b} / {b, a} (the same set), item 2 {} / {a}, item 3 {} / {}
    # values: "a|b" x2, "" x3, "a" x1; disagreeing pairs only in item 2: o = 2
    #   n = 6, Σ n_c² = 4 + 9 + 1 = 14 -> alpha = 1 - 5 * 2 / (36 - 14) = 6/11
    # label a: yes/no = (1, 1), (0, 1), (0, 0) -> 4/9 as above; label b: (1, 1), (0, 0), (0, 0):
    #   n_yes = 2, n_no = 4, no disagreement -> alpha 1
    result = set_agreement([1, 1, 2, 2, 3, 3], ["u", "v"] * 3, [["a", "b"], ["b", "a"], [], ["a"], [], []], ["a", "b"])
    assert result.alpha == pytest.approx(6 / 11, abs=1e-4)
    assert result.per_label == {"a": {"alpha": 0.4444, "kappa": 0.3333}, "b": {"alpha": 1.0, "kappa": 1.0}}
