"""Text classification (issue 5): the exclusion category, the default template for every content kind
(text, sanitised HTML, page image, audio, video) and the media types those players need."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from labelworks.core.consolidation.majority import Consolidated
from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes import IMAGE_CLASSIFICATION, TEXT_CLASSIFICATION
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.services.media import SAFE_TYPES, media_kind, open_media
from labelworks.services.templates import render_task

TOPICS = {"labels": [{"label": "politics"}, {"label": "sport"}, {"label": "science"}],
          "exclusionCategory": {"text": "None of the above"}}
MULTI = ProjectSpec(labels=parse_label_config(TOPICS), multi_label=True, job_name="topics")
SIGNED = "/media/SIGNED.token"


def _sign(ref: str) -> str:
    return f"{SIGNED}?ref={ref}"


# ---- declaring it ------------------------------------------------------------------------------

def test_exclusion_declared_apart_becomes_the_last_label() -> None:
    config = parse_label_config(TOPICS)
    assert config.labels == ("politics", "sport", "science", "None of the above")
    assert config.exclusion == "None of the above"


def test_exclusion_may_name_a_label_of_the_list_and_keeps_its_place() -> None:
    config = parse_label_config({"labels": [{"label": "none"}, {"label": "red"}], "exclusionCategory": "none"})
    assert config.labels == ("none", "red")
    assert config.exclusion == "none"


def test_no_exclusion_unless_declared() -> None:
    assert parse_label_config(["a", "b"]).exclusion is None
    assert parse_label_config({"labels": [{"label": "a"}]}).exclusion is None


@pytest.mark.parametrize("bad", ["", "   ", 3, {"text": ""}, {"label": "x"}, ["x"], "x" * 101])
def test_a_bad_exclusion_names_the_field(bad: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_label_config({"labels": [{"label": "a"}], "exclusionCategory": bad})
    assert err.value.field == "labels.exclusionCategory"


# ---- the server's rule -------------------------------------------------------------------------

@pytest.mark.parametrize("tt", [TEXT_CLASSIFICATION, IMAGE_CLASSIFICATION], ids=lambda t: t.name)
def test_exclusion_alone_is_an_answer(tt: Any) -> None:
    assert tt.normalize({"label": {"labels": ["None of the above"]}}, MULTI) == {"labels": ["None of the above"]}
    assert tt.normalize({"labels": ["science", "politics"]}, MULTI) == {"labels": ["politics", "science"]}


@pytest.mark.parametrize(("value", "field"), [
    ({"label": {"labels": ["sport", "None of the above"]}}, "value.label.labels[1]"),
    ({"labels": ["None of the above", "science"]}, "value.labels[0]"),
])
def test_exclusion_with_another_label_is_refused_naming_the_field(value: Any, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        TEXT_CLASSIFICATION.normalize(value, MULTI)
    assert err.value.field == field
    assert "None of the above" in err.value.message and "alone" in err.value.message


def test_single_label_projects_treat_the_exclusion_as_a_plain_choice() -> None:
    single = ProjectSpec(labels=MULTI.labels)
    assert TEXT_CLASSIFICATION.normalize({"label": "None of the above"}, single) == {"label": "None of the above"}


# ---- consolidation and the Ground Truth manifest -----------------------------------------------

def test_majority_and_manifest_treat_the_exclusion_as_a_label() -> None:
    values = [{"labels": ["None of the above"]}, {"labels": ["None of the above"]}, {"labels": ["sport"]}]
    answer = TEXT_CLASSIFICATION.consolidate(values, MULTI)
    assert answer is not None
    assert answer.value == {"labels": ["None of the above"]}
    fields = TEXT_CLASSIFICATION.output_fields(answer, MULTI, "2026-11-24T00:00:00")
    assert fields["label"] == [3]
    meta = fields["label-metadata"]
    assert meta["class-map"] == {"3": "None of the above"}
    assert meta["confidence-map"] == {"3": 0.67}
    assert meta["type"] == "groundtruth/text-classification-multilabel"


def test_a_majority_never_combines_the_exclusion_with_a_label() -> None:
    # each worker's answer is valid (the exclusion alone or labels without it): a label chosen by
    # more than half of the workers leaves the exclusion with less than half, and back
    for sets in ([["sport"], ["sport"], ["None of the above"]],
                 [["None of the above"], ["sport", "science"], ["None of the above"]]):
        answer = TEXT_CLASSIFICATION.consolidate([{"labels": s} for s in sets], MULTI)
        assert answer is not None
        chosen = answer.value["labels"]
        assert isinstance(chosen, list)
        assert "None of the above" not in chosen or chosen == ["None of the above"]


def test_manifest_of_a_mixed_answer_keeps_every_class_id() -> None:
    answer = Consolidated(value={"labels": ["politics", "science"]}, confidence=0.67,
                          confidence_map={"politics": 1.0, "science": 0.67}, votes=3)
    meta = TEXT_CLASSIFICATION.output_fields(answer, MULTI, "now")["label-metadata"]
    assert meta["class-map"] == {"0": "politics", "2": "science"}
    assert meta["confidence-map"] == {"0": 1.0, "2": 0.67}


# ---- the default template ----------------------------------------------------------------------

def _render(data: dict[str, Any], spec: ProjectSpec = MULTI) -> str:
    return render_task(TEXT_CLASSIFICATION.default_template(spec), data, list(spec.labels.labels),
                       header="Topics", sign_media=_sign)


def test_the_template_passes_the_exclusion_to_the_multi_select_only() -> None:
    html = _render({"source": "x"})
    assert "<lw-classifier-multi-select" in html
    assert 'exclusion-category="&#123;&quot;text&quot;: &quot;None of the above&quot;&#125;"' in html
    single = _render({"source": "x"}, ProjectSpec(labels=MULTI.labels))
    assert "<lw-classifier " in single and "exclusion-category" not in single
    image = IMAGE_CLASSIFICATION.default_template(MULTI)
    assert "exclusion-category=" in image


def test_a_label_that_looks_like_liquid_stays_text() -> None:
    spec = ProjectSpec(labels=parse_label_config({"labels": [{"label": "a"}], "exclusionCategory": "{{ 7 | plus: 1 }}"}),
                       multi_label=True)
    html = _render({"source": "x"}, spec)
    assert "&#123;&#123; 7 | plus: 1 &#125;&#125;" in html and ">8<" not in html


def test_text_is_escaped_and_keeps_its_line_breaks() -> None:
    html = _render({"source": "First line\n\nSecond <b>line</b>"})
    assert "<lw-text-content>First line\n\nSecond &lt;b&gt;line&lt;/b&gt;</lw-text-content>" in html
    assert _render({"text": "from text"}).count("<lw-text-content>from text</lw-text-content>") == 1


@pytest.mark.parametrize("item", [
    {"html": "PAYLOAD"},
    {"source": "PAYLOAD", "content-type": "text/html"},  # importers need a source: HTML said so by its type
])
def test_html_is_sanitised_by_nh3_and_still_escaped_for_the_browser_sanitiser(item: dict[str, str]) -> None:
    payload = ('<p>Fine <em>text</em></p><img src="x" onerror="window.__pwned=1">'
               '<script>window.__pwned=1</script><a href="javascript:alert(1)">link</a>')
    html = _render({k: payload if v == "PAYLOAD" else v for k, v in item.items()})
    body = re.search(r"<lw-html-content>(.*)</lw-html-content>", html, re.S)
    assert body is not None
    text = body.group(1)
    assert "&lt;p&gt;Fine &lt;em&gt;text&lt;/em&gt;&lt;/p&gt;" in text  # the markup travels as text
    assert "<" not in text  # no tag at all reaches the frame's parser
    for gone in ("onerror", "script", "javascript:", "__pwned"):
        assert gone not in text


AUDIO = '<audio controls preload="metadata" style="width: 100%" src="{url}"></audio>'


@pytest.mark.parametrize(("ref", "tag"), [
    ("/data/call.mp3", AUDIO),
    ("/data/call.wav", AUDIO),
    ("s3://bucket/memo.ogg", AUDIO),
    ("/data/clip.mp4", '<video controls preload="metadata" src="{url}"></video>'),
    ("/data/clip.webm", '<video controls preload="metadata" src="{url}"></video>'),
    ("/data/invoice-page-1.png", '<img class="lw-page" alt="The page to classify" src="{url}">'),
    ("/data/contract-p2.JPG", '<img class="lw-page" alt="The page to classify" src="{url}">'),
])
def test_media_items_get_a_player_with_a_signed_url(ref: str, tag: str) -> None:
    html = _render({"source-ref": ref})
    assert tag.format(url=f"{SIGNED}?ref={ref}") in html
    assert "<lw-text-content>" not in html


def test_a_pdf_reference_says_to_import_page_images() -> None:
    html = _render({"source-ref": "/data/contract.pdf"})
    assert "import one image (PNG or JPEG) per page" in html and "src=" not in html


# ---- media types -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content_type", "kind"), [
    ("a.mp3", "audio/mpeg", "audio"), ("a.wav", "audio/wav", "audio"), ("a.ogg", "audio/ogg", "audio"),
    ("a.m4a", "audio/mp4", "audio"), ("a.flac", "audio/flac", "audio"),
    ("a.mp4", "video/mp4", "video"), ("a.webm", "video/webm", "video"), ("a.ogv", "video/ogg", "video"),
    ("a.png", "image/png", "image"), ("a.jpeg", "image/jpeg", "image"),
    ("a.pdf", "application/pdf", "pdf"), ("a.txt", "text/plain; charset=utf-8", ""),
])
def test_media_types_and_kinds(name: str, content_type: str, kind: str) -> None:
    assert SAFE_TYPES[Path(name).suffix] == content_type
    assert media_kind(f"s3://bucket/dir/{name}?versionId=3") == kind


def test_audio_and_video_files_are_served_inline_with_their_type(tmp_path: Path) -> None:
    for name, content_type in (("memo.ogg", "audio/ogg"), ("clip.webm", "video/webm")):
        (tmp_path / name).write_bytes(b"\x00" * 10)
        media = open_media(str(tmp_path / name), [tmp_path])
        assert (media.content_type, media.download_name) == (content_type, None)
        assert b"".join(media.chunks) == b"\x00" * 10
    assert media_kind("notes.docx") == ""
