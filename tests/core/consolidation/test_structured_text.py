"""Free text: word error rate, medoid, ROVER word vote."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.text import (
    consolidate_text_medoid,
    consolidate_text_rover,
    normalize_words,
    rover,
    word_distance,
    word_error_rate,
)


def test_word_distance_and_wer() -> None:
    assert word_distance("a b c".split(), "a x c d".split()) == 2
    assert normalize_words("Hello, World!  It's") == ["hello", "world", "its"]
    assert word_error_rate("the cat sat", "The cat sat.") == 0.0
    assert word_error_rate("the cat", "the cat sat on") == 0.5
    assert similarity("text", {"text": "a b c d"}, {"text": "a b x d"}) == 0.75


def test_medoid_is_the_central_answer() -> None:
    answers = [("a", {"text": "the quick brown fox"}), ("b", {"text": "the quick brown fox jumps"}),
               ("c", {"text": "a slow red dog"})]
    result = consolidate_text_medoid(answers)
    assert result.value == {"text": "the quick brown fox"}
    assert result.confidence == pytest.approx(round((0.8 + 0.0) / 2, 4))
    assert consolidate_text_medoid(answers[:1]).confidence == 0.0


def test_rover_fixes_each_workers_own_mistake() -> None:
    # every worker has one error, each in a different place: the word vote recovers the sentence
    texts = ["the cat sat on the mat", "the bat sat on the mat", "the cat sat in the mat",
             "the cat sat on a mat", "the cat sat on the mat today"]
    result, _ = rover(texts)
    assert result == "the cat sat on the mat"
    vote = rover(["a b c d", "a x c d", "a b c y"])[0]
    assert vote == "a b c d"


def test_rover_inserts_a_word_most_workers_said() -> None:
    result = consolidate_text_rover([("a", {"text": "I saw the dog"}), ("b", {"text": "I saw the big dog"}),
                                     ("c", {"text": "I saw the big dog"})])
    assert result.value == {"text": "I saw the big dog"}
    assert result.votes == 3 and 0.8 < result.confidence <= 1.0


def test_rover_keeps_the_common_spelling_and_single_worker() -> None:
    result = consolidate_text_rover([("a", {"text": "Hello world"}), ("b", {"text": "hello World."}),
                                     ("c", {"text": "Hello world"})])
    assert result.value == {"text": "Hello world"}
    one = consolidate_text_rover([("a", {"text": "only me"})])
    assert one.value == {"text": "only me"} and one.confidence == 0.0


def test_bad_value_is_named() -> None:
    with pytest.raises(ValueError, match="text"):
        consolidate_text_rover([("a", {"text": 3})])


words = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=6).map(" ".join)


@settings(max_examples=50, deadline=None)
@given(st.lists(words, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_order_of_answers_does_not_change_the_result(texts: list[str], rnd: object) -> None:
    answers = [(f"w{i}", {"text": t}) for i, t in enumerate(texts)]
    shuffled = list(answers)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    renamed = [(f"u{i}", v) for i, (_, v) in enumerate(shuffled)]
    assert consolidate_text_rover(renamed) == consolidate_text_rover(answers)
    assert consolidate_text_medoid(renamed) == consolidate_text_medoid(answers)
