"""Text assists with the real models: spaCy's entities in code points, the label map, an HTTP
backend that gets text, and spaCy's quality on a slice of WNUT-17 against the dataset's figure."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from labelworks.assist.http import backend_assists
from labelworks.assist.registry import registered_assists
from labelworks.assist.spacy_ner import WNUT_LABEL_MAP, SpacyNer, default_label_map
from labelworks.core.assist import TextInput, check_result, info_of
from labelworks.core.errors import ValidationFailed
from labelworks.core.span_metrics import bio_spans, score_spans
from shared_data import DATA as SHARED_DATA

WNUT = ["person", "location", "group", "corporation", "product", "creative-work"]


def spans(text: str, regions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(text[r["startOffset"]:r["endOffset"]], r["label"]) for r in regions]


def test_spacy_entities_come_in_code_points_after_emoji() -> None:
    # 😀 is one code point (two UTF-16 units), 👍🏽 two code points: offsets must count code points
    text = "😀 Barack Obama flew to Paris 👍🏽 to meet Google on Monday."
    result = SpacyNer().run(TextInput(text=text, labels=tuple(WNUT)), {})
    assert result.assist == "spacy-ner" and result.model == "en_core_web_sm-3.8"
    assert spans(text, result.regions) == [("Barack Obama", "person"), ("Paris", "location"), ("Google", "corporation")]
    first = result.regions[0]
    assert (first["startOffset"], first["endOffset"]) == (2, 14) and first["source"] == "model"
    google = result.regions[2]
    assert google["startOffset"] == text.index("Google") == 40  # "Monday" (DATE) is not mapped: dropped
    assert len(text[:40].encode("utf-16-le")) // 2 == 43  # what a UTF-16 count would have said


def test_a_configured_label_map_replaces_the_default_and_is_checked() -> None:
    text = "Barack Obama flew to Paris on Monday."
    subject = TextInput(text=text, labels=("who", "when"), options={"label_map": {"PERSON": "who", "DATE": "when"}})
    assert spans(text, SpacyNer().run(subject, {}).regions) == [("Barack Obama", "who"), ("Monday", "when")]
    with pytest.raises(ValidationFailed) as err:
        SpacyNer().run(TextInput(text=text, labels=("who",), options={"label_map": {"PERSON": "nobody"}}), {})
    assert err.value.field == "label_map.PERSON"
    with pytest.raises(ValidationFailed) as err:
        SpacyNer().run(TextInput(text=text, labels=("who",), options={"label_map": {"HUMAN": "who"}}), {})
    assert err.value.field == "label_map.HUMAN"
    # a call's own map wins over the project's
    own = SpacyNer().run(subject, {"label_map": {"GPE": "when"}})
    assert spans(text, own.regions) == [("Paris", "when")]
    with pytest.raises(ValidationFailed) as err:
        SpacyNer().run(subject, {"label_map": ["PERSON"]})
    assert err.value.field == "params.label_map"


def test_the_default_map_knows_wnut_and_ontonotes_names() -> None:
    assert default_label_map(WNUT) == WNUT_LABEL_MAP
    assert default_label_map(["PER", "Organization", "date"]) == {"PERSON": "PER", "ORG": "Organization",
                                                                  "DATE": "date"}
    assert default_label_map(["sentiment"]) == {}


def test_text_assists_are_registered_with_their_media() -> None:
    assists = registered_assists()
    assert info_of(assists["spacy-ner"])["media"] == "text"
    assert info_of(assists["suggest-labels"])["media"] == "text"
    assert info_of(assists["grabcut"])["media"] == "image"
    assert "named-entity-recognition" in assists["spacy-ner"].task_types


def test_span_regions_from_outside_are_checked() -> None:
    ok = check_result({"regions": [{"kind": "span", "startOffset": 0, "endOffset": 3, "label": "x"},
                                   {"kind": "label", "label": "sports", "score": 0.5}]}, "a", "m")
    assert ok.regions[0] == {"kind": "span", "source": "model", "startOffset": 0, "endOffset": 3, "label": "x"}
    with pytest.raises(ValidationFailed) as err:
        check_result({"regions": [{"kind": "span", "startOffset": 4, "endOffset": 3, "label": "x"}]}, "a", "m")
    assert err.value.field == "result.regions[0].endOffset"


@pytest.fixture
def text_backend() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A real HTTP backend on loopback that tags every capitalised word as ``name``."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            text, pos, regions = body["text"], 0, []
            for word in text.split(" "):
                if word[:1].isupper():
                    regions.append({"kind": "span", "startOffset": pos, "endOffset": pos + len(word), "label": "name"})
                pos += len(word) + 1
            data = json.dumps({"model": "caps-1", "regions": regions}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/ner", seen
    server.shutdown()
    server.server_close()


def test_an_http_backend_text_assist_gets_the_text_instead_of_an_image(
        text_backend: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = text_backend
    (a,) = backend_assists(url, [{"name": "caps", "kinds": ["span"], "media": "text"}], allow_private=True)
    assert info_of(a)["media"] == "text"
    result = a.run(TextInput(text="🙂 met Ada today", labels=("name",)), {"min": 1})
    assert result.model == "caps-1" and spans("🙂 met Ada today", result.regions) == [("Ada", "name")]
    (sent,) = seen
    assert sent == {"assist": "caps", "params": {"min": 1}, "text": "🙂 met Ada today", "labels": ["name"]}
    with pytest.raises(ValidationFailed) as err:
        backend_assists(url, [{"name": "caps", "media": "audio"}], allow_private=True)
    assert err.value.field == "backend_assists[0].media"


def test_bio_spans_join_tokens_with_spaces_in_code_points() -> None:
    text, found = bio_spans(["@me", "🎉", "New", "York", "rocks", "Apple"], ["O", "O", "B-loc", "I-loc", "O", "I-corp"])
    assert text == "@me 🎉 New York rocks Apple"
    assert [(text[s:e], lab) for s, e, lab in found] == [("New York", "loc"), ("Apple", "corp")]
    scores = score_spans([[(0, 3, "a"), (4, 5, "b")]], [[(0, 3, "a"), (4, 5, "c"), (6, 7, "c")]])
    assert (scores.typed.true_positives, scores.typed.proposed, scores.typed.gold) == (1, 2, 3)
    assert scores.untyped.true_positives == 2 and scores.per_label["c"].recall == 0.0


WNUT_FILE = SHARED_DATA / "al_wnut17_ner" / "wnut17_train.conll.tsv"


@pytest.mark.skipif(not WNUT_FILE.exists(), reason="the shared WNUT-17 file is not on this machine")
def test_spacy_on_a_wnut17_slice_is_near_the_reference_f1() -> None:
    """The dataset README measures typed F1 0.242 (untyped 0.373) on all 3,394 sentences; the first
    300 must land in a band around it (a slice varies: 0.309 on the first 100)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    try:
        from ner_prelabel_quality import evaluate, read_conll
    finally:
        sys.path.pop(0)
    result = evaluate(read_conll(WNUT_FILE, limit=300))
    typed, untyped = result["scores"]["typed"], result["scores"]["untyped"]  # type: ignore[index]
    assert result["sentences"] == 300
    assert 0.17 <= typed["f1"] <= 0.35, typed
    assert untyped["f1"] > typed["f1"] and 0.28 <= untyped["f1"] <= 0.50, untyped
