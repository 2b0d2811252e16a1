"""Dataset exports (COCO, YOLO, VOC, PNG masks, COCO RLE) stream: ``open_export`` hands back many
chunks of about 64 KiB, not one file-sized chunk; their bytes are what the in-memory writers make
of the same items; the zips pass zipfile's and unzip's checks and read back with the importers;
and a bad item is refused before the first byte (on SQLite and Postgres, through the ``db``
fixture)."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from labelworks.core.errors import ValidationFailed
from labelworks.core.formats.coco import write_coco
from labelworks.core.formats.coco_keypoints import write_coco_keypoints
from labelworks.core.formats.coco_masks import instances_dataset, write_coco_masks
from labelworks.core.formats.coco_shapes import write_coco_polygons
from labelworks.core.formats.detection import dataset_from_items
from labelworks.core.formats.masks import masks_dataset, read_masks_zip, write_masks_zip
from labelworks.core.formats.objects import objects_from_items
from labelworks.core.formats.streaming import CHUNK
from labelworks.core.formats.voc import read_voc_zip, write_voc_zip
from labelworks.core.formats.yolo import read_yolo_zip, write_yolo_zip
from labelworks.core.formats.yolo_pose import write_yolo_pose_zip
from labelworks.core.formats.yolo_seg import read_yolo_seg_zip, write_yolo_seg_zip
from labelworks.db.engine import Database
from labelworks.services import exports

from factories import Factory, OrgUsers

PROPS = {"width": 640, "height": 480}
COLOURS = {"car": "#2ca02c", "road": "#1f77b4", "tree": "#ff7f0e"}


def _box_rows(n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        # the last image carries a label the project does not have: it comes last in every class list
        label = (lambda k: "zebra" if i == n - 1 and k == 9 else ("car", "road")[k % 2])
        boxes = [{"label": label(k), "left": 5 + k * 30 + i % 11, "top": 7 + k * 11, "width": 20.25 + k,
                  "height": 15 + k} for k in range(10)]
        rows.append({"source-ref": f"s3://bench/{i % 50}/{i:05d}.jpg",
                     "lw-pre-annotations": {"boundingBoxes": boxes, "inputImageProperties": PROPS}})
    return rows


def _polygon_rows(n: int) -> list[dict[str, Any]]:
    return [{"source-ref": f"s3://b/{i:05d}.jpg", "lw-pre-annotations": {"polygons": [
        {"label": ("car", "road")[k % 2], "vertices": [{"x": 10 + k + i % 7, "y": 10}, {"x": 60.5, "y": 12 + k},
                                                       {"x": 30, "y": 70}, {"x": 12, "y": 40 + k}]}
        for k in range(6)], "inputImageProperties": PROPS}} for i in range(n)]


def _keypoint_rows(n: int) -> list[dict[str, Any]]:
    return [{"source-ref": f"s3://b/{i:05d}.jpg", "lw-pre-annotations": {"keypoints": [
        {"label": name, "x": 20 + 40 * person + j * 3 + i % 5, "y": 30 + j * 9, "instance": person, "visibility": 2}
        for person in range(3) for j, name in enumerate(("nose", "left-eye", "right-eye"))],
        "inputImageProperties": PROPS}} for i in range(n)]


def _png(ids: np.ndarray, colours: list[str]) -> str:
    table = np.array([(255, 255, 255)] + [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours],
                     dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(table[ids]).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def _semantic_rows(n: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(7)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        ids = rng.integers(0, 4, size=(192, 256))  # noise: PNGs that do not compress, so the zip is big
        rows.append({"source-ref": f"s3://b/{i:04d}.jpg", "lw-pre-annotations": {
            "labeledImage": {"pngImageData": _png(ids, list(COLOURS.values()))},
            "labelMappings": {label: {"color": c} for label, c in COLOURS.items()},
            "inputImageProperties": {"width": 256, "height": 192}}})
    rows.append({"source-ref": "s3://b/unlabeled.jpg"})
    return rows


def _instance_rows(n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(n):
        ids = np.zeros((120, 160), dtype=np.int64)
        for k in range(1, 6):
            ids[(k * 17 + i) % 90:(k * 17 + i) % 90 + 25, k * 25:k * 25 + 20 + i % 9] = k
        instances = [(f"#{k * 40:02x}{200 - k * 30:02x}{(i * 13) % 256:02x}", ("car", "road")[k % 2])
                     for k in range(1, 6)]
        rows.append({"source-ref": f"s3://b/{i:04d}.jpg", "lw-pre-annotations": {
            "labeledImage": {"pngImageData": _png(ids, [c for c, _ in instances])},
            "instances": [{"color": c, "label": label} for c, label in instances],
            "inputImageProperties": {"width": 160, "height": 120}}})
    return rows


def _in_memory(kind: str, write: Callable[[Any], bytes]) -> Callable[[Any, Any], bytes]:
    """What the writer made before it streamed: the whole dataset built, then encoded at once."""
    def build(items: Any, labels: Any) -> bytes:
        if kind == "boxes":
            return write(dataset_from_items(items, labels))
        return write(objects_from_items(items, labels, kind))
    return build


CASES = {  # format: (task type, rows, the in-memory writer, the reader of a zip)
    "coco": ("bounding-box", lambda: _box_rows(700), _in_memory("boxes", write_coco), None),
    "yolo": ("bounding-box", lambda: _box_rows(700), _in_memory("boxes", write_yolo_zip), read_yolo_zip),
    "voc": ("bounding-box", lambda: _box_rows(700), _in_memory("boxes", write_voc_zip), read_voc_zip),
    "coco/polygons": ("polygon", lambda: _polygon_rows(1500), _in_memory("polygons", write_coco_polygons), None),
    "yolo/polygons": ("polygon", lambda: _polygon_rows(1500), _in_memory("polygons", write_yolo_seg_zip),
                      read_yolo_seg_zip),
    "coco/keypoints": ("keypoint", lambda: _keypoint_rows(1500), _in_memory("keypoints", write_coco_keypoints), None),
    "yolo/keypoints": ("keypoint", lambda: _keypoint_rows(1500), _in_memory("keypoints", write_yolo_pose_zip), None),
    "masks": ("semantic-segmentation", lambda: _semantic_rows(60),
              lambda items, labels: write_masks_zip(masks_dataset(items, labels)), read_masks_zip),
    "coco/masks": ("instance-segmentation", lambda: _instance_rows(150),
                   lambda items, labels: write_coco_masks(instances_dataset(items, labels)), None),
}
LABELS = {"bounding-box": ["car", "road"], "polygon": ["car", "road"], "keypoint": ["nose", "left-eye", "right-eye"],
          "semantic-segmentation": ["car", "road", "tree"], "instance-segmentation": ["car", "road"]}


@pytest.mark.parametrize("internal", list(CASES))
def test_dataset_exports_stream_in_small_chunks_with_the_bytes_of_the_whole_file(
        db: Database, factory: Factory, org: OrgUsers, internal: str) -> None:
    task_type, rows, in_memory, reader = CASES[internal]
    p = factory.project(org.manager, task_type, labels=LABELS[task_type])
    factory.items(org.manager, p.id, rows=rows())
    stream = exports.open_export(db, org.manager.actor, p.id, internal.partition("/")[0])
    chunks = list(stream.chunks)
    data = b"".join(chunks)
    assert len(chunks) >= 4, [len(c) for c in chunks]
    # at most 64 KiB: pieces (one image's entry, one zip member) are joined up to it
    assert max(len(c) for c in chunks) <= CHUNK, [len(c) for c in chunks]
    assert data == in_memory(exports.iter_items(db, stream.project), p.spec.labels.labels)
    if stream.media_type == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert zf.testzip() is None
        if reader is not None:
            assert reader(data)  # the importer reads it back
        if shutil.which("unzip"):
            path = Path(f"/tmp/lw-stream-test-{p.id}.zip")
            path.write_bytes(data)
            try:
                checked = subprocess.run(["unzip", "-tq", str(path)], capture_output=True, text=True)
            finally:
                path.unlink()
            assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_last_label_and_the_class_list(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "bounding-box", labels=["car", "road"])
    factory.items(org.manager, p.id, rows=_box_rows(30))
    data = b"".join(exports.open_export(db, org.manager.actor, p.id, "yolo").chunks)
    back = read_yolo_zip(data)
    assert back.labels == ("car", "road", "zebra") and len(back.images) == 30
    assert back.images[-1].boxes[-1]["label"] == "zebra" and back.images[0].boxes[0]["width"] == 20.25
    assert read_voc_zip(b"".join(exports.open_export(db, org.manager.actor, p.id, "voc").chunks)).labels == \
        ("car", "road", "zebra")


def test_a_bad_item_is_refused_before_the_first_byte(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "bounding-box", labels=["car", "road"])
    rows = _box_rows(2500)
    del rows[-1]["lw-pre-annotations"]["inputImageProperties"]  # YOLO cannot normalise without the size
    factory.items(org.manager, p.id, rows=rows)
    with pytest.raises(ValidationFailed, match="02499.jpg: YOLO needs the image's size"):
        exports.open_export(db, org.manager.actor, p.id, "yolo")  # raised here: no chunk handed out
    assert b"".join(exports.open_export(db, org.manager.actor, p.id, "coco").chunks).count(b'"width": 0') == 1


def test_ground_truth_segmentation_zip_streams_masks_then_the_manifest(db: Database, factory: Factory,
                                                                      org: OrgUsers) -> None:
    """gt-segmentation: each mask goes out as its line is made, output.manifest last; the bytes are
    what zipfile writes for the same members, and the import reads every line back with its mask."""
    from labelworks.core.formats.gt_segmentation import MANIFEST_NAME, gt_segmentation_rows

    p = factory.project(org.manager, "semantic-segmentation", labels=LABELS["semantic-segmentation"])
    factory.items(org.manager, p.id, rows=_semantic_rows(60))
    stream = exports.open_export(db, org.manager.actor, p.id, "gt-segmentation")
    chunks = list(stream.chunks)
    data = b"".join(chunks)
    assert len(chunks) >= 4 and max(len(c) for c in chunks) <= CHUNK, [len(c) for c in chunks]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        members = zf.infolist()
        assert [m.filename for m in members][-1] == MANIFEST_NAME and len(members) == 61  # 60 masks
        again = io.BytesIO()
        with zipfile.ZipFile(again, "w") as copy:  # the same members through zipfile: the same bytes
            for m in members:
                copy.writestr(zipfile.ZipInfo(m.filename, (1980, 1, 1, 0, 0, 0)), zf.read(m), m.compress_type)
    assert again.getvalue() == data
    rows = [row for _, row in gt_segmentation_rows(data, "semantic")]
    assert len(rows) == 61 and all(isinstance(r, dict) for r in rows)  # the unlabeled item too, without a mask
    assert sum("lw-pre-annotations" in r for r in rows if isinstance(r, dict)) == 60
