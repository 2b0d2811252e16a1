"""The segmentation task types: the elements' PNG answers checked field by field, the canonical
value, the pixel-vote / instance consensus on hand-made maps, and Ground Truth's output fields."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
from PIL import Image

from labelworks.core.consolidation.structured import similarity
from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.segmentation import INSTANCE_SEGMENTATION, SEMANTIC_SEGMENTATION
from segmentation_pngs import CAR, PERSON, ROAD, decoded, hexes, instance, rgb_png, semantic

SPEC = ProjectSpec(labels=parse_label_config(["car", "road", "person"]), job_name="street",
                   label_attribute="city")
MAP = [[0, 1, 1, 0],
       [0, 1, 1, 0],
       [2, 2, 2, 2]]


def test_identity_and_template() -> None:
    assert SEMANTIC_SEGMENTATION.name == "semantic-segmentation" and SEMANTIC_SEGMENTATION.media == "image"
    assert SEMANTIC_SEGMENTATION.value_kind(SPEC) == "semantic-segmentation"
    assert SEMANTIC_SEGMENTATION.default_consolidator == "segmentation-pixel-vote"
    assert INSTANCE_SEGMENTATION.default_consolidator == "instance-mask-consensus"
    template = INSTANCE_SEGMENTATION.default_template(SPEC)
    assert '<lw-instance-segmentation name="mask"' in template
    assert "grant_read_access" in template and "lw-pre-annotations | to_json" in template


@pytest.mark.parametrize("wrap", [
    lambda v: v,                                   # bare / canonical
    lambda v: {"mask": v},                         # the form's output under the element's name
    lambda v: {"crowd-semantic-segmentation": {"annotatedResult": v}},
])
def test_normalize_keeps_ground_truths_shape(wrap: Any) -> None:
    value = semantic(MAP, {"car": CAR, "road": ROAD})
    out = SEMANTIC_SEGMENTATION.normalize(wrap(value), SPEC)
    assert out == value  # an opaque RGB PNG is kept byte for byte


def test_colours_are_lower_cased_and_data_uris_dropped() -> None:
    value = semantic(MAP, {"car": CAR, "road": ROAD})
    value["labelMappings"]["car"]["color"] = CAR.upper()
    png = value["labeledImage"]["pngImageData"]
    value["labeledImage"]["pngImageData"] = "data:image/png;base64," + png
    out = SEMANTIC_SEGMENTATION.normalize(value, SPEC)
    assert out["labelMappings"]["car"] == {"color": CAR} and out["labeledImage"]["pngImageData"] == png


def test_transparent_pixels_become_white_losslessly() -> None:
    value = semantic(MAP, {"car": CAR, "road": ROAD}, alpha=True)
    out = SEMANTIC_SEGMENTATION.normalize(value, SPEC)
    assert out["labeledImage"]["pngImageData"] != value["labeledImage"]["pngImageData"]
    assert (decoded(out) == hexes(MAP, [CAR, ROAD])).all()
    assert SEMANTIC_SEGMENTATION.normalize(out, SPEC) == out  # canonical is a fixed point


def _with(value: dict[str, Any], path: str, new: Any) -> dict[str, Any]:
    *parents, last = path.split(".")
    target = value
    for key in parents:
        target = target[key]
    target[last] = new
    return value


@pytest.mark.parametrize("change, field, message", [
    (lambda v: _with(v, "labelMappings.car.color", "green"), "value.labelMappings.car.color", "colour"),
    (lambda v: _with(v, "labelMappings.road.color", CAR), "value.labelMappings.road.color", "also 'car'"),
    (lambda v: _with(v, "labelMappings.car.color", "#FFFFFF"), "value.labelMappings.car.color", "unlabeled"),
    (lambda v: _with(v, "labelMappings.tree", {"color": PERSON}), "value.labelMappings.tree", "project's labels"),
    (lambda v: _with(v, "labelMappings", [CAR]), "value.labelMappings", "label ->"),
    (lambda v: _with(v, "inputImageProperties", {"width": 5, "height": 3}), "value.labeledImage.pngImageData",
     "4 x 3, the image 5 x 3"),
    (lambda v: _with(v, "inputImageProperties", None), "value.inputImageProperties", "width and height"),
    (lambda v: _with(v, "labeledImage.pngImageData", "not base64!"), "value.labeledImage.pngImageData", "base64"),
    (lambda v: _with(v, "labeledImage.pngImageData", base64.b64encode(b"GIF89a").decode()),
     "value.labeledImage.pngImageData", "not a PNG"),
    (lambda v: _with(v, "labeledImage", "x"), "value.labeledImage", "pngImageData"),
    (lambda v: {"boxes": []}, "value.labeledImage", "labeledImage"),
])
def test_bad_answers_name_the_field(change: Any, field: str, message: str) -> None:
    value = change(semantic(MAP, {"car": CAR, "road": ROAD}))
    with pytest.raises(ValidationFailed) as err:
        SEMANTIC_SEGMENTATION.normalize(value, SPEC)
    assert err.value.field == field and message in err.value.message


def test_an_unmapped_colour_is_refused_with_where_it_is() -> None:
    value = semantic(MAP, {"car": CAR, "road": ROAD})
    value["labelMappings"] = {"car": {"color": CAR}}  # road's pixels are now unmapped
    with pytest.raises(ValidationFailed) as err:
        SEMANTIC_SEGMENTATION.normalize(value, SPEC)
    assert err.value.field == "value.labeledImage.pngImageData"
    assert "#1f77b4 (at x=0, y=2; 4 pixels" in err.value.message


def test_the_size_cap_is_checked_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    from labelworks.core.consolidation.structured import label_maps

    value = semantic(MAP, {"car": CAR, "road": ROAD})
    monkeypatch.setattr(label_maps, "MAX_PIXELS", 11)
    monkeypatch.setattr(label_maps.decode_rgb, "__defaults__", (11,))
    with pytest.raises(ValidationFailed) as err:
        SEMANTIC_SEGMENTATION.normalize(value, SPEC)
    assert err.value.field == "value.labeledImage.pngImageData" and "more than 11 pixels" in err.value.message


def test_instance_answers() -> None:
    ids = [[1, 1, 0], [0, 2, 2]]
    value = instance(ids, [(CAR, "car"), (ROAD, "car")])
    assert INSTANCE_SEGMENTATION.normalize({"mask": value}, SPEC) == value
    bad = instance(ids, [(CAR, "car"), (CAR, "road")])
    with pytest.raises(ValidationFailed) as err:
        INSTANCE_SEGMENTATION.normalize(bad, SPEC)
    assert err.value.field == "value.instances[1].color" and "instances[0]" in err.value.message
    bad = instance(ids, [(CAR, "car"), (ROAD, "tree")])
    with pytest.raises(ValidationFailed) as err:
        INSTANCE_SEGMENTATION.normalize(bad, SPEC)
    assert err.value.field == "value.instances[1].label"
    bad = instance(ids, [(CAR, "car"), (ROAD, "car")])
    bad["instances"].pop()  # the second instance's colour is in the PNG but not listed
    with pytest.raises(ValidationFailed) as err:
        INSTANCE_SEGMENTATION.normalize(bad, SPEC)
    assert err.value.field == "value.labeledImage.pngImageData" and ROAD in err.value.message


# ---- consolidation: golden cases ----------------------------------------------------------


def test_semantic_pixel_vote_golden() -> None:
    a = np.array(MAP)
    b = a.copy()
    b[0, 0] = 1          # one stray car pixel: outvoted
    c = a.copy()
    c[2, 3] = 3          # one person pixel where the others say road: outvoted
    # worker c colours classes differently: ids go by label, not by colour
    values = [semantic(a, {"car": CAR, "road": ROAD}), semantic(b, {"car": CAR, "road": ROAD}),
              semantic(c, {"road": "#000000", "car": "#123456", "person": PERSON})]
    # c's ids follow its own mapping order: road=1, car=2, person=3
    swap = np.array([0, 2, 1, 3])[c]
    values[2] = semantic(swap, {"road": "#000000", "car": "#123456", "person": PERSON})
    answer = SEMANTIC_SEGMENTATION.consolidate(values, SPEC)
    assert answer is not None and answer.votes == 3
    assert (decoded(answer.value) == hexes(MAP, [CAR, ROAD])).all()
    assert answer.value["labelMappings"] == {"car": {"color": CAR}, "road": {"color": ROAD}}
    assert answer.confidence_map == {"BACKGROUND": round((3 + 2 / 3) / 4, 4), "car": 1.0,
                                     "road": round((3 + 2 / 3) / 4, 4)}
    # labeled by someone: 4 car + 4 road + the stray background pixel (each at 2/3 where contested)
    assert answer.confidence == round((4 + 3 + 2 / 3 + 2 / 3) / 9, 4)
    assert SEMANTIC_SEGMENTATION.normalize(answer.value, SPEC) == answer.value


def test_one_answer_has_confidence_zero_and_ties_go_to_background() -> None:
    one = SEMANTIC_SEGMENTATION.consolidate([semantic(MAP, {"car": CAR, "road": ROAD})], SPEC)
    assert one is not None and one.confidence == 0.0 and set(one.confidence_map.values()) == {0.0}
    blank = np.zeros((3, 4), dtype=int)
    tie = SEMANTIC_SEGMENTATION.consolidate([semantic(MAP, {"car": CAR, "road": ROAD}),
                                             semantic(blank, {"car": CAR})], SPEC)
    assert tie is not None and (decoded(tie.value) == 0xFFFFFF).all() and tie.value["labelMappings"] == {}


def test_semantic_sizes_must_agree() -> None:
    with pytest.raises(ValueError, match=r"answer of 'w1'.labeledImage: 2 x 1 differs from 4 x 3"):
        SEMANTIC_SEGMENTATION.consolidate([semantic(MAP, {"car": CAR, "road": ROAD}),
                                           semantic([[1, 1]], {"car": CAR})], SPEC)


def test_instance_consensus_golden() -> None:
    # two cars side by side; worker c draws the left car too small, worker b calls it a person and
    # adds a person pixel nobody else saw
    a = np.zeros((6, 10), dtype=int)
    a[1:5, 0:4] = 1
    a[1:5, 5:9] = 2
    b = a.copy()
    b[5, 9] = 3
    c = a.copy()
    c[1:5, 0] = 0
    values = [instance(a, [(CAR, "car"), (ROAD, "car")]),
              instance(b, [(PERSON, "person"), (CAR, "car"), ("#d62728", "person")]),
              instance(c, [(ROAD, "car"), (CAR, "car")])]
    answer = INSTANCE_SEGMENTATION.consolidate(values, SPEC)
    assert answer is not None
    assert [i["label"] for i in answer.value["instances"]] == ["car", "car"]  # the lone person dropped
    ids = np.zeros_like(a)
    ids[1:5, 0:4] = 1
    ids[1:5, 5:9] = 2
    colours = [i["color"] for i in answer.value["instances"]]
    assert (decoded(answer.value) == hexes(ids, colours)).all()
    left = 1.0 * (1 + 1 + 12 / 16) / 3 * (2 / 3)  # support x mean IoU x label share
    assert answer.object_confidence == (round(left, 4), 1.0)
    assert answer.confidence == round((left + 1.0 + 2 / 3) / 3, 4)  # + (1 - 1/3) for the dropped person
    one = INSTANCE_SEGMENTATION.consolidate(values[:1], SPEC)
    assert one is not None and one.confidence == 0.0 and one.object_confidence == (0.0, 0.0)


def test_consolidation_does_not_depend_on_answer_order() -> None:
    a = np.zeros((5, 5), dtype=int)
    a[0:3, 0:3] = 1
    b = np.zeros((5, 5), dtype=int)
    b[1:4, 1:4] = 1
    c = np.zeros((5, 5), dtype=int)
    c[1:3, 0:3] = 1
    values = [instance(m, [(CAR, "car")]) for m in (a, b, c)]
    first = INSTANCE_SEGMENTATION.consolidate(values, SPEC)
    again = INSTANCE_SEGMENTATION.consolidate(values[::-1], SPEC)
    assert first == again


def test_similarity_kinds() -> None:
    a = semantic(MAP, {"car": CAR, "road": ROAD})
    b = semantic([[0, 1, 0, 0], [0, 1, 1, 0], [2, 2, 2, 2]], {"car": "#000001", "road": ROAD})
    assert similarity("semantic-segmentation", a, a) == 1.0
    assert similarity("semantic-segmentation", a, b) == pytest.approx((3 / 4 + 1) / 2)
    ia = instance([[1, 1, 0, 2]], [(CAR, "car"), (ROAD, "road")])
    ib = instance([[1, 0, 0, 2]], [(CAR, "car"), (ROAD, "car")])
    assert similarity("instance-segmentation", ia, ib) == pytest.approx(2 * 0.5 / 4)


# ---- Ground Truth's output manifest ---------------------------------------------------------


def test_output_fields_semantic() -> None:
    a = semantic(MAP, {"car": CAR, "road": ROAD})
    answer = SEMANTIC_SEGMENTATION.consolidate([a, a], SPEC)
    assert answer is not None
    out = SEMANTIC_SEGMENTATION.output_fields(answer, SPEC, "2026-11-24T23:00:00")
    assert out["city-ref"].startswith("data:image/png;base64,")
    png = base64.b64decode(out["city-ref"].removeprefix("data:image/png;base64,"))
    assert Image.open(io.BytesIO(png)).size == (4, 3)
    meta = out["city-ref-metadata"]
    assert meta["type"] == "groundtruth/semantic-segmentation" and meta["job-name"] == "labeling-job/street"
    assert meta["human-annotated"] == "yes" and meta["creation-date"] == "2026-11-24T23:00:00"
    assert meta["internal-color-map"] == {
        "0": {"class-name": "BACKGROUND", "hex-color": "#ffffff", "confidence": 1.0},
        "1": {"class-name": "car", "hex-color": CAR, "confidence": 1.0},
        "2": {"class-name": "road", "hex-color": ROAD, "confidence": 1.0},
        # a label nobody used gets a free palette colour and the item's confidence
        "3": {"class-name": "person", "hex-color": "#ff7f0e", "confidence": 1.0},
    }


def test_output_fields_instance() -> None:
    v = instance([[1, 1, 0, 2]], [(CAR, "car"), (ROAD, "road")])
    answer = INSTANCE_SEGMENTATION.consolidate([v, v], SPEC)
    assert answer is not None
    meta = INSTANCE_SEGMENTATION.output_fields(answer, SPEC, "t")["city-ref-metadata"]
    assert meta["type"] == "groundtruth/instance-segmentation"
    assert [(e["class-name"], e["confidence"]) for e in meta["internal-color-map"].values()] == [
        ("BACKGROUND", 1.0), ("car", 1.0), ("road", 1.0)]


def test_rgb_png_helper_round_trip() -> None:
    raw = base64.b64decode(rgb_png(MAP, [CAR, ROAD]))
    assert Image.open(io.BytesIO(raw)).mode == "RGB"


def test_palette_pngs_read_like_rgb_ones() -> None:
    from labelworks.core.consolidation.structured.segmentation import semantic_ids, semantic_value

    classes = ["car", "road", "person"]
    palette = semantic_value(np.array(MAP), classes, {"car": CAR, "road": ROAD, "person": PERSON})
    rgb = semantic(MAP, {"car": CAR, "road": ROAD})
    assert (semantic_ids(palette, classes, "p") == semantic_ids(rgb, classes, "r")).all()
    palette["labelMappings"].pop("road")  # road's pixels are now unmapped: the error names the pixel
    with pytest.raises(ValueError, match=r"p.labeledImage.pngImageData: colour #1f77b4 \(at x=0, y=2; 4 pixels"):
        semantic_ids(palette, classes, "p")
