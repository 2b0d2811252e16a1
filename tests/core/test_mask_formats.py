"""The mask formats' readers on files other tools write: VOC-style palette PNGs with 255 as void,
grayscale and colour PNGs, Ground Truth output zipped as downloaded; field-named refusals."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from labelworks.core.consolidation.structured.segmentation import (
    crop_mask,
    instance_masks,
    instance_value,
    semantic_ids,
    semantic_value,
)
from labelworks.core.errors import ValidationFailed
from labelworks.core.formats import label_map_items
from labelworks.core.formats.coco_masks import InstanceDataset, InstanceImage, read_coco_masks, write_coco_masks
from labelworks.core.formats.gt_segmentation import gt_segmentation_rows
from labelworks.core.formats.masks import MaskDataset, MaskImage, masks_item_rows, read_masks_zip, write_masks_zip
from labelworks.core.tasktypes.segmentation import PRE_ANNOTATIONS_KEY
from segmentation_pngs import CAR, ROAD, decoded, hexes, rgb_png

LABELS = {"labels": [{"id": 0, "name": "BACKGROUND", "color": "#ffffff"}, {"id": 1, "name": "car", "color": CAR},
                     {"id": 2, "name": "road", "color": ROAD}]}
IDS = np.array([[0, 1, 1, 255], [2, 2, 0, 0]], dtype=np.uint8)


def _png(arr: np.ndarray, mode: str) -> bytes:
    buf = io.BytesIO()
    img = Image.frombytes(mode, (arr.shape[1], arr.shape[0]), np.ascontiguousarray(arr, dtype=np.uint8).tobytes())
    if mode == "P":
        img.putpalette([0, 0, 0, 200, 0, 0, 0, 200, 0] + [224, 224, 192] * 253)  # VOC-like: not our colours
    img.save(buf, format="PNG")
    return buf.getvalue()


def _zip(files: dict[str, bytes | Any]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data if isinstance(data, bytes) else json.dumps(data))
    return buf.getvalue()


@pytest.mark.parametrize("mode", ["P", "L"])
def test_index_pngs_are_read_by_value_and_255_is_void(mode: str) -> None:
    data = _zip({"labels.json": LABELS, "images.json": [{"image": "a.jpg", "mask": "SegmentationClass/a.png"}],
                 "SegmentationClass/a.png": _png(IDS, mode)})
    (image,) = read_masks_zip(data).images
    assert image.ids is not None and image.ids.tolist() == [[0, 1, 1, 0], [2, 2, 0, 0]]
    (row,) = masks_item_rows(read_masks_zip(data))
    pre = row[PRE_ANNOTATIONS_KEY]
    assert pre["labelMappings"] == {"car": {"color": CAR}, "road": {"color": ROAD}}  # labels.json's colours
    assert (decoded(pre) == hexes([[0, 1, 1, 0], [2, 2, 0, 0]], [CAR, ROAD])).all()


def test_colour_pngs_are_read_by_labels_json_colours() -> None:
    rgb = base64.b64decode(rgb_png([[0, 2], [1, 1]], [CAR, ROAD]))
    data = _zip({"labels.json": LABELS, "images.json": [{"image": "a.jpg", "mask": "m.png", "width": 2, "height": 2}],
                 "m.png": rgb})
    (image,) = read_masks_zip(data).images
    assert image.ids is not None and image.ids.tolist() == [[0, 2], [1, 1]]


@pytest.mark.parametrize("files, message", [
    ({"images.json": []}, "'labels.json' is not in the zip"),
    ({"labels.json": {"labels": [{"id": 1, "name": "car", "color": CAR}, {"id": 1, "name": "x", "color": ROAD}]},
      "images.json": []}, "labels[1].id: class id 1 appears twice"),
    ({"labels.json": {"labels": [{"id": 1, "name": "car", "color": CAR}, {"id": 2, "name": "x", "color": CAR}]},
      "images.json": []}, "labels[1].color"),
    ({"labels.json": LABELS, "images.json": [{"image": "a.jpg", "mask": "m.png", "width": 5, "height": 2}],
      "m.png": _png(IDS, "L")}, "images.json[0]: the mask is 4 x 2, the image 5 x 2"),
    ({"labels.json": {"labels": [{"id": 1, "name": "car", "color": CAR}]},
      "images.json": [{"image": "a.jpg", "mask": "m.png"}], "m.png": _png(IDS, "L")},
     "class id 2 is not in labels.json"),
    ({"labels.json": LABELS, "images.json": [{"image": "a.jpg", "mask": "gone.png"}]},
     "images.json[0].mask: 'gone.png' is not in the zip"),
    ({"labels.json": LABELS, "images.json": [{"mask": "m.png"}]}, "images.json[0].image"),
])
def test_masks_refusals_name_the_file_and_field(files: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        read_masks_zip(_zip(files))
    assert message in err.value.message


def test_a_zip_member_past_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(label_map_items, "MAX_PNG_BYTES", 10)
    monkeypatch.setattr(label_map_items.zip_member, "__defaults__", (10,))
    data = _zip({"labels.json": LABELS, "images.json": [{"image": "a.jpg", "mask": "m.png"}],
                 "m.png": _png(IDS, "L")})
    with pytest.raises(ValidationFailed, match="unpacks to more than"):
        read_masks_zip(data)


def _line(ref: str, kind: str = "semantic", **extra: Any) -> bytes:
    cmap = {"0": {"class-name": "BACKGROUND", "hex-color": "#ffffff"}, "1": {"class-name": "car", "hex-color": CAR},
            "2": {"class-name": "road", "hex-color": ROAD}}
    row = {"source-ref": "s3://b/a.jpg", "city-ref": ref,
           "city-ref-metadata": {"type": f"groundtruth/{kind}-segmentation", "internal-color-map": cmap}, **extra}
    return json.dumps(row).encode()


def test_ground_truth_output_zipped_as_downloaded() -> None:
    png = base64.b64decode(rgb_png([[0, 1], [2, 2]], [CAR, ROAD]))
    data = _zip({"job/manifests/output/output.manifest": _line("s3://bucket/job/annotations/consolidated/0_a.png")
                 + b"\n\n" + _line("s3://bucket/job/annotations/consolidated/1_a.png", "instance"),
                 "downloads/0_a.png": png, "downloads/1_a.png": png})
    (n1, row1), (n2, row2) = gt_segmentation_rows(data)
    assert (n1, n2) == (1, 3)  # the blank line is counted
    assert isinstance(row1, dict) and row1["city-ref-metadata"]["type"] == "groundtruth/semantic-segmentation"
    assert row1[PRE_ANNOTATIONS_KEY]["labelMappings"] == {"car": {"color": CAR}, "road": {"color": ROAD}}
    assert row1[PRE_ANNOTATIONS_KEY]["inputImageProperties"] == {"width": 2, "height": 2}
    assert isinstance(row2, dict)
    assert row2[PRE_ANNOTATIONS_KEY]["instances"] == [{"color": CAR, "label": "car"}, {"color": ROAD, "label": "road"}]


def test_ground_truth_refusals_name_the_line_and_key() -> None:
    stray = base64.b64decode(rgb_png([[0, 1]], ["#123456"]))
    data = _zip({"out.manifest": _line("a.png") + b"\n" + _line("missing.png") + b"\n" + b"[1]\n",
                 "a.png": stray})
    rows = list(gt_segmentation_rows(data))
    assert rows[0][0] == 1 and "city-ref: colour #123456 (at x=1, y=0" in str(rows[0][1])
    assert rows[1] == (2, "city-ref: missing.png is not in the zip")
    assert rows[2] == (3, "expected a JSON object")
    ((n, why),) = gt_segmentation_rows(b"PK\x03\x04 not really a zip")
    assert n == 1 and isinstance(why, str) and why.startswith("not a zip file")
    (bad,) = gt_segmentation_rows(_zip({"a.png": stray}))
    assert bad == (1, "the zip must hold one .manifest or .jsonl file, found 0")


# ---- property: every writer's output reads back to the same maps --------------------------

MAPS = hnp.arrays(np.int64, st.tuples(st.integers(1, 12), st.integers(1, 12)), elements=st.integers(0, 4))
CLASSES = ["car", "road", "person", "tree"]
COLOURS = dict(zip(CLASSES, ["#2ca02c", "#1f77b4", "#ff7f0e", "#d62728"], strict=True))


@settings(max_examples=60, deadline=None)
@given(MAPS)
def test_label_maps_round_trip(ids: np.ndarray) -> None:
    value = semantic_value(ids, CLASSES, COLOURS)
    assert (semantic_ids(value, CLASSES, "v") == ids).all()
    dataset = MaskDataset(tuple(COLOURS.items()), (MaskImage("a.jpg", None, None, ids),))
    data = write_masks_zip(dataset)
    (image,) = read_masks_zip(data).images
    assert image.ids is not None and (image.ids == ids).all()
    assert write_masks_zip(read_masks_zip(data)) == data


@settings(max_examples=60, deadline=None)
@given(MAPS)
def test_instances_round_trip_through_coco(ids: np.ndarray) -> None:
    objects = [(CLASSES[k % 4], crop_mask(ids == k)) for k in range(1, 5) if (ids == k).any()]
    h, w = ids.shape
    value = instance_value((h, w), objects)
    _, back = instance_masks(value, "v")
    assert [(label, c.box(), c.mask.tolist()) for label, c in back] == \
        [(label, c.box(), c.mask.tolist()) for label, c in objects]
    doc = write_coco_masks(InstanceDataset((InstanceImage("a.jpg", w, h, tuple(objects)),), tuple(CLASSES)))
    (image,) = read_coco_masks(doc).images
    assert [(label, c.box(), c.mask.tolist()) for label, c in image.instances] == \
        [(label, c.box(), c.mask.tolist()) for label, c in objects]
