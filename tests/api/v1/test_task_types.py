"""Every registered task type, single- and multi-label, end to end: import, frame, submit, export."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from labelworks.plugins.manager import get_registry
from labelworks.settings import Settings

from factories import LABELS, Factory, OrgUsers
from segmentation_pngs import instance, semantic

_TRIANGLE = [{"x": 1, "y": 1}, {"x": 7, "y": 1}, {"x": 4, "y": 6}]
# task type -> (value key, one shape as the element posts it, its annotation in the output manifest)
SHAPES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    # the pixel vote traces its polygon through pixel centres: its vertices are checked by count below
    "polygon": ("polygons", {"label": "dog", "vertices": _TRIANGLE}, {"class_id": 1}),
    "polyline": ("polylines", {"label": "dog", "vertices": _TRIANGLE}, {"class_id": 1, "points": _TRIANGLE}),
    "line": ("lines", {"label": "dog", "vertices": _TRIANGLE[:2]}, {"class_id": 1, "points": _TRIANGLE[:2]}),
    "keypoint": ("keypoints", {"label": "dog", "x": 2, "y": 3}, {"class_id": 1, "x": 2, "y": 3}),
}
# demonstration task types -> (the item, what the element posts, the sft-messages row of the export)
_CHAT = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]
DEMONSTRATIONS: dict[str, tuple[dict[str, Any], dict[str, Any], list[str]]] = {
    "question-answer-generation": ({"source": "a <b>sentence</b>"}, {"qa": {"questionAnswerPairs": [
        {"question": "What is it?", "answer": "A sentence.", "tags": ["dog"],
         "references": [{"startOffset": 5, "endOffset": 13}]}]}}, ["system", "user", "assistant"]),
    "chat-demonstration": ({"messages": _CHAT}, {"chat": {"messages": [_CHAT[0], {**_CHAT[1], "content": "Hi!"}]}},
                           ["user", "assistant"]),
    "image-captioning": ({}, {"caption": {"caption": "A green square."}}, ["user", "assistant"]),
    "video-captioning": ({}, {"captions": {"captions": [{"start": 0, "end": 1, "text": "Green."}]}},
                         ["user", "assistant"]),
}


def test_each_task_type_labels_and_exports(client: TestClient, factory: Factory, org: OrgUsers, settings: Settings) -> None:
    image = settings.media_dir / "one.png"
    Image.new("RGB", (8, 8), (0, 128, 0)).save(image)
    made = factory.projects_of_each_type(org.manager)
    assert {name for name, _ in made} == set(get_registry().task_types)
    for (name, multi), project in made.items():
        media = get_registry().task_type(name).media
        row = {"source-ref": str(image)} if media == "image" else {"source": "a <b>sentence</b>"}
        if name == "text-ranking":  # a prompt and the responses to rank
            row = {"source": "a <b>sentence</b>", "responses": ["one", {"id": "b", "text": "two"}]}
        if name in DEMONSTRATIONS:
            row = DEMONSTRATIONS[name][0] or {"source-ref": str(image)}
        if name == "model-evaluation":  # a Bedrock prompt record; the plain labels are 1-5 criteria
            row = {"prompt": "a <b>sentence</b>", "modelResponses": [{"response": "one", "modelIdentifier": "m1"},
                                                                  {"response": "two", "modelIdentifier": "m2"}]}
        factory.items(org.manager, project.id, rows=[row])
        task = client.post(f"/api/v1/projects/{project.id}/next", json={}, headers=org.annotator.headers).json()
        assert task["multi_label"] is multi and task["labels"] == list(LABELS)
        frame = client.get(task["frame_url"], headers=org.annotator.headers)
        assert frame.status_code == 200, (name, multi, frame.text)
        assert "<lw-form>" in frame.text and "<b>sentence" not in frame.text
        if name in ("bounding-box", "label-adjustment"):  # an adjustment project adjusts boxes by default
            box = {"label": "dog", "left": 1, "top": 2, "width": 3, "height": 4}
            value = {"boxes": {"boundingBoxes": [box], "inputImageProperties": {"width": 8, "height": 8}}}
        elif name in SHAPES:
            key, shape, _ = SHAPES[name]
            value = {key: {key: [shape], "inputImageProperties": {"width": 8, "height": 8}}}
        elif name in DEMONSTRATIONS:
            value = DEMONSTRATIONS[name][1]
        elif name == "label-verification":
            value = {"verdict": {"label": "dog"}, "comment": "the <b>box</b> is too wide"}
        elif name in ("semantic-segmentation", "instance-segmentation"):
            ids = [[1 if 2 <= x < 5 else 0 for x in range(8)] for _ in range(8)]
            painted = semantic(ids, {"dog": "#2ca02c"}) if name == "semantic-segmentation" else \
                instance(ids, [("#2ca02c", "dog")])
            value = {"mask": painted}
        elif name == "text-ranking":  # the project's labels are its ranking dimensions
            value = {"ranking": {"ordinalRankingDimensions": [{"name": n, "responseRankings": [2, 1]} for n in LABELS]}}
        elif name == "model-evaluation":
            value = {"evaluation": {"displayOrder": ["m2", "m1"], "criteria": {n: [5, 2] for n in LABELS}}}
        elif name == "named-entity-recognition":  # "sentence" in "a <b>sentence</b>", code points 5..13
            value = {"entities": {"entities": [{"label": "dog", "startOffset": 5, "endOffset": 13}]}}
        else:
            value = {"label": {"labels": ["dog", "cat"]}} if multi else {"label": {"label": "dog"}}
        r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": value},
                        headers=org.annotator.headers)
        assert r.status_code == 201, (name, multi, r.text)
        if name == "bounding-box":
            assert r.json()["value"] == {"boxes": [box], "inputImageProperties": {"width": 8, "height": 8}}
            (out,) = [json.loads(line) for line in
                      client.get(f"/api/v1/projects/{project.id}/export", headers=org.manager.headers).text.splitlines()]
            assert out[f"{project.label_attribute}-metadata"]["type"] == "groundtruth/object-detection"
            assert out[project.label_attribute]["annotations"] == [
                {"class_id": 1, "left": 1, "top": 2, "width": 3, "height": 4}]
            continue
        if name == "label-adjustment":  # no earlier label on the item: any box is an adjustment
            assert r.json()["value"] == {"boxes": [box], "inputImageProperties": {"width": 8, "height": 8},
                                         "adjustment-status": "adjusted"}
            (out,) = [json.loads(line) for line in
                      client.get(f"/api/v1/projects/{project.id}/export", headers=org.manager.headers).text.splitlines()]
            meta = out[f"{project.label_attribute}-metadata"]
            assert meta["type"] == "groundtruth/object-detection" and meta["adjustment-status"] == "adjusted"
            continue
        if name in SHAPES:
            key, shape, annotation = SHAPES[name]
            assert r.json()["value"] == {key: [shape], "inputImageProperties": {"width": 8, "height": 8}}
            (out,) = [json.loads(line) for line in
                      client.get(f"/api/v1/projects/{project.id}/export", headers=org.manager.headers).text.splitlines()]
            assert out[f"{project.label_attribute}-metadata"]["type"] == f"groundtruth/{name}"
            (got,) = out[project.label_attribute]["annotations"]
            assert got == annotation if name != "polygon" else (got["class_id"] == 1 and len(got["points"]) >= 3)
            continue
        if name in ("semantic-segmentation", "instance-segmentation"):
            assert r.json()["value"] == painted  # Ground Truth's shape, the PNG byte for byte
            (out,) = [json.loads(line) for line in
                      client.get(f"/api/v1/projects/{project.id}/export", headers=org.manager.headers).text.splitlines()]
            meta = out[f"{project.label_attribute}-ref-metadata"]
            assert meta["type"] == f"groundtruth/{name}"
            assert {"class-name": "dog", "hex-color": "#2ca02c", "confidence": 0.0} in meta["internal-color-map"].values()
            assert out[f"{project.label_attribute}-ref"].startswith("data:image/png;base64,")
            continue
        if name == "named-entity-recognition":
            entity = {"label": "dog", "startOffset": 5, "endOffset": 13}
            assert r.json()["value"] == {"entities": [{**entity, "id": "e1"}]}
            (out,) = [json.loads(line) for line in
                      client.get(f"/api/v1/projects/{project.id}/export", headers=org.manager.headers).text.splitlines()]
            meta = out[f"{project.label_attribute}-metadata"]
            assert meta["type"] == "groundtruth/text-span" and meta["entities"] == [{"confidence": 0.0}]
            assert out[project.label_attribute]["annotations"]["entities"] == [entity]
            continue
        if name in DEMONSTRATIONS:  # TRL's conversational SFT rows (core/formats/sft.py)
            text = client.get(f"/api/v1/projects/{project.id}/export", params={"format": "sft-messages"},
                              headers=org.manager.headers).text
            (row,) = [json.loads(line) for line in text.splitlines()]
            assert [m["role"] for m in row["messages"]] == DEMONSTRATIONS[name][2], (name, row)
            continue
        if name == "text-ranking":
            (out,) = [json.loads(line) for line in
                      client.get(f"/api/v1/projects/{project.id}/export", headers=org.manager.headers).text.splitlines()]
            assert out[f"{project.label_attribute}-metadata"]["type"] == "groundtruth/text-ranking"
            assert out[project.label_attribute]["ordinalRankingDimensions"] == [
                {"name": n, "responseRankings": [2, 1]} for n in LABELS]
            assert out[project.label_attribute]["responseIds"] == ["r1", "b"]
            continue
        if name == "model-evaluation":  # the shown order mapped back to the models
            (out,) = [json.loads(line) for line in
                      client.get(f"/api/v1/projects/{project.id}/export", headers=org.manager.headers).text.splitlines()]
            assert out[f"{project.label_attribute}-metadata"]["type"] == "labelworks/model-evaluation"
            assert out[project.label_attribute]["criteria"]["cat"] == {"method": "likert",
                                                                       "ratings": {"m1": 2, "m2": 5}}
            continue
        if name == "label-verification":
            assert r.json()["value"] == {"label": "dog", "comment": "the <b>box</b> is too wide"}
            (out,) = [json.loads(line) for line in
                      client.get(f"/api/v1/projects/{project.id}/export", headers=org.manager.headers).text.splitlines()]
            meta = out[f"{project.label_attribute}-metadata"]
            assert meta["type"] == "groundtruth/label-verification" and meta["class-name"] == "dog"
            assert meta["worker-feedback"] == [{"comment": "the <b>box</b> is too wide"}]
            assert out[project.label_attribute] == 1
            continue
        assert r.json()["value"] == ({"labels": ["cat", "dog"]} if multi else {"label": "dog"})
        text = client.get(f"/api/v1/projects/{project.id}/export", headers=org.manager.headers).text
        (out,) = [json.loads(line) for line in text.splitlines()]
        meta = out[f"{project.label_attribute}-metadata"]
        assert meta["type"] == f"groundtruth/{name}" + ("-multilabel" if multi else "")
        assert out[project.label_attribute] == ([0, 1] if multi else 1)
