"""``import --format masks|coco|gt-segmentation`` then ``export`` in the same format gives the same
masks back; labeled items export the consensus map with Ground Truth's internal-color-map."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labelworks.core.consolidation.structured.segmentation import crop_mask
from labelworks.core.formats.coco_masks import InstanceDataset, InstanceImage, read_coco_masks, write_coco_masks
from labelworks.core.formats.masks import MaskDataset, MaskImage, read_masks_zip, write_masks_zip
from labelworks.db.engine import Database
from labelworks.services import accounts, annotations, assignments
from segmentation_pngs import CAR, PERSON, ROAD, decoded, hexes, semantic

ANNOTATOR = "masks@example.org"
LABELS = (("car", CAR), ("road", ROAD), ("person", PERSON))


def _ids(h: int, w: int, *rects: tuple[int, int, int, int, int]) -> np.ndarray:
    ids = np.zeros((h, w), dtype=np.int64)
    for y0, x0, y1, x1, k in rects:
        ids[y0:y1, x0:x1] = k
    return ids


MASKS = MaskDataset(LABELS, (
    MaskImage("s3://bucket/street/0001.jpg", 40, 30, _ids(30, 40, (0, 0, 10, 20, 1), (20, 0, 30, 40, 2))),
    MaskImage("s3://bucket/park/0001.jpg", None, None, None),
    MaskImage("s3://bucket/park/0002.jpg", 16, 12, _ids(12, 16, (2, 2, 8, 8, 3))),
))


@pytest.fixture
def semantic_project(make_project: Callable[..., int]) -> int:
    return make_project("--workers-per-item", "2", name="Streets", task_type="semantic-segmentation",
                        labels="car,road,person")


@pytest.fixture
def instance_project(make_project: Callable[..., int]) -> int:
    return make_project("--workers-per-item", "2", name="Cars", task_type="instance-segmentation",
                        labels="car,road,person")


def _same_masks(a: MaskDataset, b: MaskDataset) -> None:
    assert a.labels == b.labels and [i.image for i in a.images] == [i.image for i in b.images]
    for x, y in zip(a.images, b.images, strict=True):
        assert (x.ids is None) == (y.ids is None)
        if x.ids is not None and y.ids is not None:
            assert (x.ids == y.ids).all()


def test_masks_import_then_export_gives_the_same_zip(cli, semantic_project: int, tmp_path: Path) -> None:
    source = tmp_path / "in.zip"
    source.write_bytes(write_masks_zip(MASKS))
    assert "3 lines: 3 items created" in cli("import", str(semantic_project), str(source), "--format", "masks").stdout
    out = tmp_path / "out.zip"
    cli("export", str(semantic_project), "--format", "masks", "-o", str(out))
    _same_masks(read_masks_zip(out.read_bytes()), MASKS)
    assert out.read_bytes() == source.read_bytes()  # byte for byte: the writer is deterministic
    with zipfile.ZipFile(out) as zf:
        png = Image.open(io.BytesIO(zf.read("masks/0001.png")))
        assert png.mode == "P" and np.asarray(png).max() == 2  # the pixel values are the class ids
        assert sorted(zf.namelist()) == ["images.json", "labels.json", "masks/0001.png", "masks/0002.png"]


def test_gt_segmentation_round_trips_and_chains(cli, semantic_project: int, make_project: Callable[..., int],
                                               tmp_path: Path) -> None:
    source = tmp_path / "in.zip"
    source.write_bytes(write_masks_zip(MASKS))
    cli("import", str(semantic_project), str(source), "--format", "masks")
    first = tmp_path / "first.zip"
    cli("export", str(semantic_project), "--format", "gt-segmentation", "-o", str(first))
    with zipfile.ZipFile(first) as zf:
        lines = [json.loads(x) for x in zf.read("output.manifest").splitlines()]
        # the label attribute is the project's ("streets"), as Ground Truth names it after the job
        assert lines[0]["streets-ref"] == "masks/0001.png" and "lw-pre-annotations" not in lines[0]
        meta = lines[0]["streets-ref-metadata"]
        assert meta["type"] == "groundtruth/semantic-segmentation" and meta["human-annotated"] == "no"
        assert meta["internal-color-map"]["0"] == {"class-name": "BACKGROUND", "hex-color": "#ffffff"}
        assert meta["internal-color-map"]["3"] == {"class-name": "person", "hex-color": PERSON}
        assert lines[1] == {"source-ref": "s3://bucket/park/0001.jpg"}
    second = make_project(name="Again", task_type="semantic-segmentation", labels="car,road,person")
    assert "3 lines: 3 items created" in cli("import", str(second), str(first), "--format", "gt-segmentation").stdout
    again = tmp_path / "again.zip"
    cli("export", str(second), "--format", "gt-segmentation", "-o", str(again))
    assert again.read_bytes() == first.read_bytes()
    masks = tmp_path / "masks.zip"
    cli("export", str(second), "--format", "masks", "-o", str(masks))
    _same_masks(read_masks_zip(masks.read_bytes()), MASKS)


def test_labeled_items_export_the_consensus_with_its_confidence(cli, db: Database, owner: str,
                                                                semantic_project: int, make_project: Callable[..., int],
                                                                tmp_path: Path) -> None:
    one = MaskDataset(LABELS, MASKS.images[:1])
    source = tmp_path / "in.zip"
    source.write_bytes(write_masks_zip(one))
    cli("import", str(semantic_project), str(source), "--format", "masks")
    cli("user", "create", ANNOTATOR, "--password", "correct-horse-battery", "--role", "annotator")
    gold = MASKS.images[0].ids
    assert gold is not None
    other = gold.copy()
    other[0:10, 20:25] = 1  # the second worker paints the car wider
    for email, ids in zip((owner, ANNOTATOR), (gold, other), strict=True):
        actor = accounts.actor_for(accounts.find_user(db, email))
        lease = assignments.next_for(db, actor, semantic_project)
        assert lease is not None
        annotations.submit(db, actor, lease.assignment_id, {"mask": semantic(ids, {"car": CAR, "road": ROAD})})
    manifest = tmp_path / "out.manifest"
    cli("export", str(semantic_project), "--format", "manifest", "-o", str(manifest))
    row = json.loads(manifest.read_bytes())
    assert row["streets-ref"].startswith("data:image/png;base64,")
    meta = row["streets-ref-metadata"]
    assert meta["type"] == "groundtruth/semantic-segmentation" and meta["human-annotated"] == "yes"
    cmap = meta["internal-color-map"]
    assert cmap["0"] == {"class-name": "BACKGROUND", "hex-color": "#ffffff", "confidence": 0.96}
    assert cmap["1"] == {"class-name": "car", "hex-color": CAR, "confidence": 1.0}
    assert meta["consolidation"]["method"] == "segmentation-pixel-vote" and len(meta["worker-responses"]) == 2
    # the tie on the 50 extra pixels goes to background (575 of 600 background votes agree):
    # the consensus is the gold map
    png = {"labeledImage": {"pngImageData": row["streets-ref"].removeprefix("data:image/png;base64,")}}
    assert (decoded(png) == hexes(gold, [CAR, ROAD])).all()
    # the plain manifest (data URIs) chains into a new project
    second = make_project(name="Verify", task_type="semantic-segmentation", labels="car,road,person")
    assert "1 lines: 1 items created" in cli("import", str(second), str(manifest), "--format", "gt-segmentation").stdout
    masks = tmp_path / "masks.zip"
    cli("export", str(second), "--format", "masks", "-o", str(masks))
    (image,) = read_masks_zip(masks.read_bytes()).images
    assert image.ids is not None and (image.ids == gold).all()


def _instances(h: int, w: int, *rects: tuple[str, int, int, int, int]) -> tuple[tuple[str, object], ...]:
    out = []
    for label, y0, x0, y1, x1 in rects:
        full = np.zeros((h, w), dtype=bool)
        full[y0:y1, x0:x1] = True
        out.append((label, crop_mask(full)))
    return tuple(out)  # type: ignore[return-value]


COCO = InstanceDataset((
    InstanceImage("s3://bucket/street/0001.jpg", 40, 30,
                  _instances(30, 40, ("car", 0, 0, 10, 20), ("car", 0, 22, 10, 40), ("person", 15, 5, 29, 9))),
    InstanceImage("s3://bucket/park/0001.jpg", 64, 48, ()),
), ("car", "road", "person"))


def test_coco_instance_masks_round_trip(cli, instance_project: int, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(write_coco_masks(COCO))
    doc = json.loads(source.read_bytes())
    assert doc["annotations"][0]["segmentation"]["size"] == [30, 40] and doc["annotations"][0]["iscrowd"] == 0
    assert doc["annotations"][0]["bbox"] == [0, 0, 20, 10] and doc["annotations"][0]["area"] == 200
    assert "2 lines: 2 items created" in cli("import", str(instance_project), str(source), "--format", "coco").stdout
    out = tmp_path / "out.json"
    cli("export", str(instance_project), "--format", "coco", "-o", str(out))
    assert out.read_bytes() == source.read_bytes()
    back = read_coco_masks(out.read_bytes())
    assert [[(label, c.box()) for label, c in i.instances] for i in back.images] == \
        [[(label, c.box()) for label, c in i.instances] for i in COCO.images]  # type: ignore[attr-defined]


def test_coco_polygons_and_uncompressed_rle_are_rasterised(cli, instance_project: int, tmp_path: Path) -> None:
    mask = np.zeros((10, 12), dtype=np.uint8)
    mask[2:5, 3:7] = 1
    flat = mask.flatten(order="F")  # COCO runs go down the columns, starting with background
    runs, value, n = [], 0, 0
    for v in flat.tolist():
        if v != value:
            runs.append(n)
            value, n = v, 0
        n += 1
    runs.append(n)
    counts = runs
    doc = {"images": [{"id": 7, "file_name": "a.jpg", "width": 12, "height": 10}],
           "categories": [{"id": 3, "name": "road"}, {"id": 1, "name": "car"}],
           "annotations": [
               {"id": 1, "image_id": 7, "category_id": 1, "iscrowd": 0,
                "segmentation": [[6.0, 6.0, 11.0, 6.0, 11.0, 9.0, 6.0, 9.0]]},
               {"id": 2, "image_id": 7, "category_id": 3, "iscrowd": 1,
                "segmentation": {"size": [10, 12], "counts": counts}}]}
    source = tmp_path / "in.json"
    source.write_text(json.dumps(doc))
    cli("import", str(instance_project), str(source), "--format", "coco")
    out = tmp_path / "out.json"
    cli("export", str(instance_project), "--format", "coco", "-o", str(out))
    (image,) = read_coco_masks(out.read_bytes()).images
    (car_label, car), (road_label, road) = image.instances
    assert (car_label, road_label) == ("car", "road")
    assert road.box() == (2, 3, 5, 7) and road.area == 12
    assert car.box()[:2] == (6, 6) and car.area > 0


def test_bad_files_and_formats_name_the_problem(cli, instance_project: int, make_project: Callable[..., int],
                                                tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}],
                               "categories": [{"id": 1, "name": "car"}],
                               "annotations": [{"image_id": 1, "category_id": 1, "segmentation": [[1, 2]]}]}))
    result = cli("import", str(instance_project), str(bad), "--format", "coco", code=2)
    assert "annotations[0].segmentation" in result.output
    result = cli("import", str(instance_project), str(bad), "--format", "masks", code=2)
    assert "masks" in result.output and "instance-segmentation" in result.output
    box_project = make_project(name="Boxes", task_type="bounding-box", labels="car")
    result = cli("export", str(box_project), "--format", "masks", "-o", str(tmp_path / "x.zip"), code=2)
    assert "masks" in result.output
    semantic_project = make_project(name="Sem", task_type="semantic-segmentation", labels="car")
    plain = tmp_path / "gt.manifest"
    plain.write_text(json.dumps({"source-ref": "s3://b/a.jpg", "l-ref": "s3://b/out/a.png",
                                 "l-ref-metadata": {"type": "groundtruth/semantic-segmentation",
                                                    "internal-color-map": {}}}) + "\n")
    result = cli("import", str(semantic_project), str(plain), "--format", "gt-segmentation", code=2)
    assert "l-ref: s3://b/out/a.png cannot be read from a manifest alone" in result.output
    # an instance label does not import into a semantic project (its colours are objects, not classes)
    instance_manifest = tmp_path / "instances.manifest"
    instance_manifest.write_text(json.dumps({"source-ref": "s3://b/a.jpg", "l-ref": "data:image/png;base64,AAAA",
                                             "l-ref-metadata": {"type": "groundtruth/instance-segmentation",
                                                                "internal-color-map": {}}}) + "\n")
    result = cli("import", str(semantic_project), str(instance_manifest), "--format", "gt-segmentation", code=2)
    assert "l-ref-metadata.type: groundtruth/instance-segmentation does not fit a semantic-segmentation project" \
        in result.output
    broken = tmp_path / "broken.zip"
    broken.write_bytes(base64.b64decode("UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="))  # an empty zip
    result = cli("import", str(semantic_project), str(broken), "--format", "masks", code=2)
    assert "labels.json" in result.output
