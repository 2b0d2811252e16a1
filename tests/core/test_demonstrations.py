"""Demonstration task types: question-answer pairs, chat replies, image and video captions —
normalisation naming the field, guidance (words, counts, forbidden phrases) and consolidation."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.captioning import IMAGE_CAPTIONING, VIDEO_CAPTIONING
from labelworks.core.tasktypes.chat_demonstration import CHAT_DEMONSTRATION
from labelworks.core.tasktypes.qa_generation import QUESTION_ANSWER_GENERATION

PASSAGE = "Ada Lovelace wrote the first program. She worked with Babbage 👩🏽‍💻 in London."
ADA = {"startOffset": 0, "endOffset": 12}


def spec(**guidance: Any) -> ProjectSpec:
    return ProjectSpec(labels=parse_label_config({"labels": [{"label": "factual"}, {"label": "reasoning"}],
                                                  "guidance": guidance}))


def pair(**over: Any) -> dict[str, Any]:
    return {"question": "Who wrote the first program?", "answer": "Ada Lovelace.", "tags": ["factual"],
            "references": [ADA], **over}


def qa(value: Any, s: ProjectSpec | None = None) -> dict[str, Any]:
    return QUESTION_ANSWER_GENERATION.normalize_with_item(value, s or spec(), {"source": PASSAGE})


def field_of(call: Any) -> str:
    with pytest.raises(ValidationFailed) as info:
        call()
    return str(info.value.field)


def test_qa_canonical_value_sorts_references_and_tags() -> None:
    value = {"qa": {"questionAnswerPairs": [pair(tags=["reasoning", "factual"],
                                                  references=[{"startOffset": 38, "endOffset": 41}, ADA])]}}
    assert qa(value) == {"questionAnswerPairs": [{
        "question": "Who wrote the first program?", "answer": "Ada Lovelace.", "tags": ["factual", "reasoning"],
        "references": [ADA, {"startOffset": 38, "endOffset": 41}]}]}


@pytest.mark.parametrize(("bad", "field"), [
    ({"question": ""}, "value.qa.questionAnswerPairs[0].question"),
    ({"answer": 3}, "value.qa.questionAnswerPairs[0].answer"),
    ({"tags": ["opinion"]}, "value.qa.questionAnswerPairs[0].tags[0]"),
    ({"references": []}, "value.qa.questionAnswerPairs[0].references"),
    ({"references": [{"startOffset": 5, "endOffset": 2}]}, "value.qa.questionAnswerPairs[0].references[0].endOffset"),
    ({"references": [{"startOffset": 0, "endOffset": 999}]}, "value.qa.questionAnswerPairs[0].references[0].endOffset"),
    ({"references": [ADA, ADA]}, "value.qa.questionAnswerPairs[0].references[1]"),
    ({"references": [{"startOffset": "0", "endOffset": 3}]}, "value.qa.questionAnswerPairs[0].references[0].startOffset"),
])
def test_qa_errors_name_the_field(bad: dict[str, Any], field: str) -> None:
    assert field_of(lambda: qa({"qa": {"questionAnswerPairs": [pair(**bad)]}})) == field


def test_qa_references_are_code_points_on_grapheme_boundaries() -> None:
    start = PASSAGE.index("👩")
    end = start + len("👩🏽‍💻")  # 4 code points: woman, skin tone, ZWJ, laptop
    assert end - start == 4
    got = qa({"qa": {"questionAnswerPairs": [pair(references=[{"startOffset": start, "endOffset": end}])]}})
    assert got["questionAnswerPairs"][0]["references"] == [{"startOffset": start, "endOffset": end}]
    inside = {"startOffset": start, "endOffset": start + 1}  # splits the emoji's cluster
    assert field_of(lambda: qa({"qa": {"questionAnswerPairs": [pair(references=[inside])]}})) == \
        "value.qa.questionAnswerPairs[0].references[0].endOffset"


def test_qa_guidance_counts_words_and_pairs_and_forbidden_phrases() -> None:
    s = spec(minQuestions=2, maxQuestions=3, questionMaxWords=5, answerMinWords=2, forbiddenPhrases=["As an AI"],
             requireTags=True)
    two = [pair(), pair(question="Where did she work?", answer="In London.", references=[{"startOffset": PASSAGE.index("London"), "endOffset": len(PASSAGE) - 1}])]
    assert len(qa({"questionAnswerPairs": two}, s)["questionAnswerPairs"]) == 2
    assert field_of(lambda: qa({"questionAnswerPairs": two[:1]}, s)) == "value.questionAnswerPairs"
    assert field_of(lambda: qa({"questionAnswerPairs": two * 2}, s)) == "value.questionAnswerPairs"
    long_q = pair(question="Who was it that wrote the program?")
    assert field_of(lambda: qa({"questionAnswerPairs": [long_q, two[1]]}, s)) == "value.questionAnswerPairs[0].question"
    short_a = pair(answer="Ada.")
    assert field_of(lambda: qa({"questionAnswerPairs": [short_a, two[1]]}, s)) == "value.questionAnswerPairs[0].answer"
    ai = pair(answer="as  an ai, Ada Lovelace.")  # case and spaces folded
    assert field_of(lambda: qa({"questionAnswerPairs": [ai, two[1]]}, s)) == "value.questionAnswerPairs[0].answer"
    untagged = pair(tags=[])
    assert field_of(lambda: qa({"questionAnswerPairs": [untagged, two[1]]}, s)) == "value.questionAnswerPairs[0].tags"
    assert field_of(lambda: qa({"questionAnswerPairs": [pair(), pair(question=" who wrote THE first program? ")]}, s)) \
        == "value.questionAnswerPairs[1]"


def test_guidance_is_checked_naming_the_key() -> None:
    assert field_of(lambda: qa({"questionAnswerPairs": [pair()]}, spec(minWords=5, maxWords=2))) == \
        "labels.guidance.minWords"
    assert field_of(lambda: qa({"questionAnswerPairs": [pair()]}, spec(forbiddenPhrases=[""]))) == \
        "labels.guidance.forbiddenPhrases[0]"
    assert field_of(lambda: qa({"questionAnswerPairs": [pair()]}, spec(allowNewTurns="yes"))) == \
        "labels.guidance.allowNewTurns"


def test_qa_consolidation_keeps_every_workers_pairs_once() -> None:
    a = {"questionAnswerPairs": [pair()]}
    b = {"questionAnswerPairs": [pair(question="WHO wrote the first program?"), pair(question="Who is Babbage?")]}
    got = QUESTION_ANSWER_GENERATION.consolidate([a, b], spec())
    assert got is not None and [p["question"] for p in got.value["questionAnswerPairs"]] == [  # type: ignore[attr-defined]
        "Who wrote the first program?", "Who is Babbage?"]
    assert got.method == "qa-keep-all" and got.confidence == 1.0


CHAT = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "5"}, {"role": "user", "content": "Are you sure?"}]


def chat(messages: list[dict[str, Any]], s: ProjectSpec | None = None) -> dict[str, Any]:
    return CHAT_DEMONSTRATION.normalize_with_item({"chat": {"messages": messages}}, s or spec(), {"messages": CHAT})


def test_chat_marks_edits_keeps_originals_and_the_new_reply() -> None:
    out = chat([*CHAT[:2], {"role": "assistant", "content": "4."}, CHAT[3],
                {"role": "assistant", "content": "Yes, 2+2 is 4."}])
    assert out["messages"] == [
        CHAT[0], CHAT[1], {"role": "assistant", "content": "4.", "edited": True, "original": "5"}, CHAT[3],
        {"role": "assistant", "content": "Yes, 2+2 is 4.", "edited": True, "added": True}]
    kept = chat([*CHAT, {"role": "assistant", "content": "Yes."}])
    assert kept["messages"][2] == {"role": "assistant", "content": "5", "edited": False}


@pytest.mark.parametrize(("messages", "field"), [
    (CHAT, "value.chat.messages[4]"),  # the last user turn has no reply
    ([*CHAT[:1], {"role": "user", "content": "changed"}, *CHAT[2:], {"role": "assistant", "content": "ok"}],
     "value.chat.messages[1].content"),
    ([*CHAT[:2], {"role": "user", "content": "5"}, CHAT[3], {"role": "assistant", "content": "ok"}],
     "value.chat.messages[2].role"),
    (CHAT[:2], "value.chat.messages"),
    ([*CHAT, {"role": "assistant", "content": "  "}], "value.chat.messages[4].content"),
    ([*CHAT, {"role": "assistant", "content": "Yes."}, {"role": "user", "content": "More?"},
      {"role": "assistant", "content": "No."}], "value.chat.messages[5]"),
    ([*CHAT, {"role": "system", "content": "x"}], "value.chat.messages[4].role"),
])
def test_chat_errors_name_the_turn(messages: list[dict[str, Any]], field: str) -> None:
    assert field_of(lambda: chat(messages)) == field


def test_chat_guidance_and_added_turns_where_allowed() -> None:
    s = spec(minWords=2, maxWords=6, forbiddenPhrases=["as an AI"], allowNewTurns=True)
    longer = [*CHAT, {"role": "assistant", "content": "Yes, it is 4."}, {"role": "user", "content": "And 3+3?"},
              {"role": "assistant", "content": "That is 6."}]
    out = chat(longer, s)["messages"]
    assert [m.get("added", False) for m in out] == [False] * 4 + [True] * 3
    assert field_of(lambda: chat([*CHAT, {"role": "assistant", "content": "Yes."}], s)) == "value.chat.messages[4].content"
    assert field_of(lambda: chat([*CHAT, {"role": "assistant", "content": "As an AI, yes."}], s)) == \
        "value.chat.messages[4].content"
    too_long = {"role": "assistant", "content": "one two three four five six seven"}
    assert field_of(lambda: chat([*CHAT[:2], too_long, *CHAT[3:], {"role": "assistant", "content": "Yes it is."}], s)) \
        == "value.chat.messages[2].content"
    assert field_of(lambda: CHAT_DEMONSTRATION.normalize_with_item({"messages": CHAT}, s, {"source": "x"})) == \
        "item.messages"


def test_chat_consolidation_takes_one_workers_whole_conversation() -> None:
    def reply(text: str) -> dict[str, Any]:
        return {"messages": [*CHAT, {"role": "assistant", "content": text, "edited": True, "added": True}]}
    got = CHAT_DEMONSTRATION.consolidate([reply("Yes, it is four."), reply("Yes, it is 4."), reply("Yes, four.")],
                                         spec())
    assert got is not None and got.value == reply("Yes, it is four.") and got.method == "chat-medoid"
    assert 0 < got.confidence <= 1


def test_image_caption_guidance() -> None:
    s = spec(minWords=3, maxWords=8, forbiddenPhrases=["this image shows"])
    assert IMAGE_CAPTIONING.normalize({"caption": {"caption": " A red kite over a field. "}}, s) == \
        {"caption": "A red kite over a field."}
    assert field_of(lambda: IMAGE_CAPTIONING.normalize({"caption": {"caption": "A kite."}}, s)) == "value.caption.caption"
    assert field_of(lambda: IMAGE_CAPTIONING.normalize({"caption": "This  image shows a kite."}, s)) == "value.caption"
    assert field_of(lambda: IMAGE_CAPTIONING.normalize({"caption": {"caption": None}}, s)) == "value.caption.caption"


def test_video_captions_sorted_and_checked() -> None:
    s = spec(minWords=1, maxCaptions=3)
    value = {"captions": {"captions": [{"start": 2.5, "end": 4, "text": "It jumps."},
                                       {"start": 0, "end": 2.5004, "text": "A dog runs."}]}}
    assert VIDEO_CAPTIONING.normalize_with_item(value, s, {"source-ref": "v.webm", "duration": 4.0}) == {"captions": [
        {"start": 0.0, "end": 2.5, "text": "A dog runs."}, {"start": 2.5, "end": 4.0, "text": "It jumps."}]}
    bad = [({"start": 3, "end": 3, "text": "x"}, "value.captions[0].end"),
           ({"start": -1, "end": 3, "text": "x"}, "value.captions[0].start"),
           ({"start": 0, "end": "3", "text": "x"}, "value.captions[0].end"),
           ({"start": 0, "end": 9, "text": "x"}, "value.captions[0].end"),  # past the item's duration
           ({"start": 0, "end": 1, "text": ""}, "value.captions[0].text")]
    for caption, field in bad:
        assert field_of(lambda: VIDEO_CAPTIONING.normalize_with_item(
            {"captions": [caption]}, s, {"duration": 4})) == field, caption
    assert field_of(lambda: VIDEO_CAPTIONING.normalize({"captions": []}, s)) == "value.captions"
    got = VIDEO_CAPTIONING.consolidate([{"captions": [{"start": 0, "end": 1, "text": "A dog."}]}], s)
    assert got is not None and got.confidence == 0.0 and got.method == "caption-medoid"


def test_default_templates_carry_the_guidance() -> None:
    s = spec(minWords=2, forbiddenPhrases=["{{ evil }}"])
    for tt in (QUESTION_ANSWER_GENERATION, CHAT_DEMONSTRATION, IMAGE_CAPTIONING, VIDEO_CAPTIONING):
        template = tt.default_template(s)
        assert 'guidance="' in template and "&#123;&#123; evil &#125;&#125;" in template, tt.name
    assert "<lw-question-answer-generation" in QUESTION_ANSWER_GENERATION.default_template(s)
    assert "<lw-chat-editor" in CHAT_DEMONSTRATION.default_template(s)
    assert "<lw-video-caption" in VIDEO_CAPTIONING.default_template(s)
    for tt in (QUESTION_ANSWER_GENERATION, IMAGE_CAPTIONING, VIDEO_CAPTIONING):  # a model's draft to correct
        assert "task.input.lw-pre-annotations | to_json" in tt.default_template(s), tt.name


def test_similarity_of_demonstrations_reads_their_text() -> None:
    from labelworks.core.consolidation.structured import similarity

    assert similarity("caption", {"caption": "A red kite."}, {"caption": "a red KITE"}) == 1.0
    assert similarity("caption", {"caption": "A red kite."}, {"caption": "A red kite flies."}) == 0.75
    late = {"captions": [{"start": 2, "end": 3, "text": "It lands."}, {"start": 0, "end": 2, "text": "A kite."}]}
    early = {"captions": [{"start": 0, "end": 1, "text": "A kite."}, {"start": 1, "end": 3, "text": "It lands."}]}
    assert similarity("video-captions", late, early) == 1.0  # read in time order
    user = {"role": "user", "content": "Hi"}
    assert similarity("chat", {"messages": [user, {"role": "assistant", "content": "Hello there"}]},
                      {"messages": [user, {"role": "assistant", "content": "Hello"}]}) == 0.5
    qa_a = {"questionAnswerPairs": [pair()]}
    assert similarity("qa-pairs", qa_a, qa_a) == 1.0
    with pytest.raises(ValueError, match=r"b\.messages\[0\]\.content"):
        similarity("chat", {"messages": []}, {"messages": [{"role": "assistant"}]})
