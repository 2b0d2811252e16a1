"""Task templates (services/templates.py): Liquid with autoescape, no ``safe``, sanitised HTML."""

from __future__ import annotations

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes import IMAGE_CLASSIFICATION, TEXT_CLASSIFICATION
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.services.templates import MAX_TEMPLATE_BYTES, check_template, render_task

XSS = '<script>alert(1)</script><img src=x onerror="steal()">'


def test_item_data_is_escaped() -> None:
    html = render_task("<p>{{ task.input.source }}</p>", {"source": XSS}, ["a"])
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_attribute_values_cannot_break_out() -> None:
    html = render_task('<p title="{{ task.input.t }}">x</p>', {"t": '" onmouseover="steal()'}, [])
    assert 'onmouseover="steal()"' not in html
    assert "&#34; onmouseover=&#34;steal()" in html


def test_safe_filter_is_absent() -> None:
    with pytest.raises(ValidationFailed) as info:
        render_task("{{ task.input.source | safe }}", {"source": XSS}, [])
    assert info.value.field == "template"
    assert "safe" in info.value.message


def test_skip_autoescape_is_sanitised_by_nh3() -> None:
    html = render_task("{{ task.input.source | skip_autoescape }}",
                       {"source": '<b onclick="x()">bold</b>' + XSS + '<a href="javascript:steal()">l</a>'}, [])
    assert "<b>bold</b>" in html  # harmless markup survives
    for bad in ("<script", "onclick", "onerror", "javascript:"):
        assert bad not in html


def test_grant_read_access_signs_references() -> None:
    signed: list[str] = []

    def sign(ref: str) -> str:
        signed.append(ref)
        return "/media/SIGNED"

    html = render_task('<img src="{{ task.input.source-ref | grant_read_access }}">',
                       {"source-ref": "s3://bucket/cat.png"}, [], sign_media=sign)
    assert html == '<img src="/media/SIGNED">'
    assert signed == ["s3://bucket/cat.png"]
    assert render_task("[{{ task.input.missing | grant_read_access }}]", {}, [], sign_media=sign) == "[]"
    # without a signer (a preview) the reference is shown as it is, still escaped
    assert render_task("{{ r | grant_read_access }}", {}, []) == ""
    assert render_task('{{ task.input.r | grant_read_access }}', {"r": 'a"b'}, []) == "a&#34;b"


def test_labels_to_json_in_an_attribute_round_trips() -> None:
    html = render_task('<x categories="{{ labels | to_json }}"></x>', {}, ['say "hi"', "<b>"])
    assert html == '<x categories="[&#34;say \\&#34;hi\\&#34;&#34;, &#34;&lt;b&gt;&#34;]"></x>'


@pytest.mark.parametrize(("source", "line"), [
    ("<p>one</p>\n<p>two</p>\n{% iff task.input.x %}\n<p>unknown tag</p>\n", 3),
    ("a\nb\nc\nd\n{{ task.input | }}\n", 5),
    ("{% for x in %}{% endfor %}", 1),
])
def test_syntax_error_names_the_line(source: str, line: int) -> None:
    with pytest.raises(ValidationFailed) as info:
        check_template(source)
    assert info.value.field == "template"
    assert f"line {line}" in info.value.message
    assert info.value.details[0]["line"] == line


def test_oversized_template_is_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        check_template("x" * (MAX_TEMPLATE_BYTES + 1))
    assert info.value.field == "template"


def test_ground_truth_crowd_template_renders() -> None:
    source = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="sentiment" categories="['Positive', 'Negative']" header="What is it?">
    <classification-target>{{ task.input.taskObject }}</classification-target>
  </crowd-classifier>
</crowd-form>"""
    check_template(source)
    html = render_task(source, {"taskObject": "I <3 it"}, [])
    assert "<classification-target>I &lt;3 it</classification-target>" in html


@pytest.mark.parametrize("tt", [TEXT_CLASSIFICATION, IMAGE_CLASSIFICATION], ids=lambda t: t.name)
@pytest.mark.parametrize("multi", [False, True])
def test_default_templates_parse_and_render(tt: object, multi: bool) -> None:
    spec = ProjectSpec(labels=parse_label_config(["cat", "dog"]), multi_label=multi)
    source = tt.default_template(spec)  # type: ignore[attr-defined]
    check_template(source)
    html = render_task(source, {"source": XSS, "source-ref": "/data/media/a.png"}, ["cat", "dog"], header="Pick",
                       sign_media=lambda ref: "/media/T")
    assert "<script" not in html
    assert "&#34;cat&#34;" in html
