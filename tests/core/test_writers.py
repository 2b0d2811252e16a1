"""Writers: Ground Truth's output-manifest shape, every item once, unlabeled items unchanged."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import orjson
import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.formats.records import ExportAnnotation, ExportItem, item_key
from labelworks.core.formats.writers import EXPORT_FORMATS, write_csv, write_jsonl, write_manifest, writer_for
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes import IMAGE_CLASSIFICATION, TEXT_CLASSIFICATION
from labelworks.core.tasktypes.base import ProjectSpec

LABELS = parse_label_config(["cat", "dog", "bird"])
SINGLE = ProjectSpec(labels=LABELS, job_name="pets", label_attribute="animal")
MULTI = ProjectSpec(labels=LABELS, multi_label=True, job_name="pets", label_attribute="animal")
CREATED = "2026-01-02T03:04:05.000006"


def _item(i: int, data: dict[str, Any], values: list[dict[str, Any]], spec: ProjectSpec, raw: bytes | None = None) -> ExportItem:
    anns = [ExportAnnotation(100 + i * 10 + n, f"w{n}@example.org", v, 1, "human", 500, CREATED, CREATED, None, n + 1)
            for n, v in enumerate(values)]
    answer = TEXT_CLASSIFICATION.consolidate(values, spec) if values else None
    return ExportItem(i, item_key(data), raw or orjson.dumps(data), anns, answer)


def _lines(chunks: Any) -> list[bytes]:
    return b"".join(chunks).splitlines()


def test_manifest_single_label_in_ground_truth_shape() -> None:
    items = [_item(1, {"source": "a", "keep": [1, 2]}, [{"label": "dog"}, {"label": "dog"}, {"label": "cat"}], SINGLE)]
    (line,) = _lines(write_manifest(items, TEXT_CLASSIFICATION, SINGLE, CREATED))
    row = json.loads(line)
    responses = row["animal-metadata"].pop("worker-responses")
    assert row == {
        "source": "a", "keep": [1, 2],
        "animal": 1,
        "animal-metadata": {"class-name": "dog", "confidence": 0.67, "type": "groundtruth/text-classification",
                            "human-annotated": "yes", "creation-date": CREATED, "job-name": "labeling-job/pets",
                            "consolidation": {"method": "majority-vote", "params": {}, "confidence": 0.67,
                                              "votes": 3}},
    }
    # Ground Truth's worker-response shape, one entry per worker
    assert responses[0] == {"workerId": "private.labelworks.1", "workerEmail": "w0@example.org",
                            "acceptanceTime": CREATED, "submissionTime": CREATED, "timeSpentInSeconds": 0.5,
                            "answerContent": {"label": "dog"}}
    assert [r["answerContent"]["label"] for r in responses] == ["dog", "dog", "cat"]


def test_manifest_multi_label_class_and_confidence_maps() -> None:
    values = [{"labels": ["cat", "bird"]}, {"labels": ["bird"]}, {"labels": ["cat", "bird", "dog"]}]
    items = [_item(1, {"source-ref": "s3://b/a.jpg"}, values, MULTI)]
    items[0].answer = IMAGE_CLASSIFICATION.consolidate(values, MULTI)
    (line,) = _lines(write_manifest(items, IMAGE_CLASSIFICATION, MULTI, CREATED))
    row = json.loads(line)
    assert row["animal"] == [0, 2]
    meta = row["animal-metadata"]
    assert meta["class-map"] == {"0": "cat", "2": "bird"}
    assert meta["confidence-map"] == {"0": 0.67, "2": 1.0}
    assert meta["type"] == "groundtruth/image-classification-multilabel"
    assert meta["human-annotated"] == "yes" and meta["job-name"] == "labeling-job/pets"


def test_one_worker_confidence_is_zero() -> None:
    items = [_item(1, {"source": "a"}, [{"label": "bird"}], SINGLE)]
    (line,) = _lines(write_manifest(items, TEXT_CLASSIFICATION, SINGLE, CREATED))
    assert json.loads(line)["animal-metadata"]["confidence"] == 0.0


def test_unlabeled_items_are_written_unchanged_and_every_item_once() -> None:
    raw = b'{"source":"verbatim",  "z":1,"a":2}'
    items = [_item(i, {"source": f"s{i}"}, [{"label": "cat"}] if i % 2 else [], SINGLE) for i in range(1, 2001)]
    items[1] = _item(2, {"source": "verbatim", "z": 1, "a": 2}, [], SINGLE, raw=raw)
    lines = _lines(write_manifest(iter(items), TEXT_CLASSIFICATION, SINGLE, CREATED))
    assert len(lines) == 2000
    assert lines[1] == raw  # byte for byte
    sources = [json.loads(line)["source"] for line in lines]
    assert len(set(sources)) == 2000
    assert "animal" not in json.loads(lines[3])
    assert json.loads(lines[0])["animal-metadata"]["class-name"] == "cat"


def test_output_is_chunked_in_large_pieces() -> None:
    items = [_item(i, {"source": "x" * 100}, [], SINGLE) for i in range(2000)]
    chunks = list(write_manifest(items, TEXT_CLASSIFICATION, SINGLE, CREATED))
    assert len(chunks) > 1
    assert all(len(c) >= 64 * 1024 for c in chunks[:-1])


def test_jsonl_has_every_annotation_and_the_answer() -> None:
    items = [_item(1, {"source": "a"}, [{"label": "dog"}, {"label": "cat"}], SINGLE), _item(2, {"source": "b"}, [], SINGLE)]
    first, second = (json.loads(x) for x in _lines(write_jsonl(items, TEXT_CLASSIFICATION, SINGLE, CREATED)))
    assert first["item_id"] == 1 and first["data"] == {"source": "a"} and first["key"] == item_key({"source": "a"})
    assert [a["value"] for a in first["annotations"]] == [{"label": "dog"}, {"label": "cat"}]
    assert first["annotations"][0]["worker"] == "w0@example.org"
    assert first["consolidated"] == {"value": {"label": "cat"}, "confidence": 0.5, "method": "majority-vote",
                                     "params": {}, "votes": 2}
    assert [a["answerContent"] for a in first["worker_responses"]["answers"]] == [{"label": "dog"}, {"label": "cat"}]
    assert second["annotations"] == [] and second["consolidated"] is None
    assert second["worker_responses"] == {"answers": []} and second["review"] == []


def test_csv_rows() -> None:
    items = [_item(1, {"source": "a, with comma"}, [{"label": "dog"}, {"label": "dog"}], SINGLE),
             _item(2, {"source-ref": "s3://x"}, [], SINGLE)]
    rows = list(csv.reader(io.StringIO(b"".join(write_csv(items, TEXT_CLASSIFICATION, SINGLE, CREATED)).decode())))
    assert rows[0] == ["item_id", "key", "source", "label", "confidence", "votes", "workers"]
    assert rows[1][2:] == ["a, with comma", "dog", "1.00", "2", "w0@example.org;w1@example.org"]
    assert rows[2][2:] == ["s3://x", "", "", "0", ""]
    values = [{"labels": ["cat", "dog"]}]
    multi = [_item(1, {"source": "m"}, values, MULTI)]
    rows = list(csv.reader(io.StringIO(b"".join(write_csv(multi, TEXT_CLASSIFICATION, MULTI, CREATED)).decode())))
    assert rows[1][3:5] == ["cat;dog", "0.00"]


def test_writer_for_every_format_and_unknown() -> None:
    for fmt in EXPORT_FORMATS:
        assert callable(writer_for(fmt))
    with pytest.raises(ValidationFailed) as info:
        writer_for("coco-unknown")
    assert info.value.field == "format"
