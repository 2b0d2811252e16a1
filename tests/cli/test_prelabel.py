"""``labelworks prelabel P --assist faces``: model boxes become the unlabeled items' pre-annotations."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data
from sqlalchemy import select

from labelworks.db.engine import Database
from labelworks.db.models import Item


def _pre(db: Database, project: int) -> dict[str, dict]:
    with db.read() as s:
        rows = s.scalars(select(Item).where(Item.project_id == project).order_by(Item.id)).all()
        return {Path(json.loads(r.data)["source-ref"]).name: json.loads(r.data).get("lw-pre-annotations") for r in rows}


def test_prelabel_faces_into_a_box_project(cli, db: Database, make_project: Callable[..., int], tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(data.astronaut()).save(folder / "astronaut.png")
    Image.fromarray(np.stack([data.coins()] * 3, axis=-1)).save(folder / "coins.png")
    project = make_project(name="Faces", task_type="bounding-box", labels="face,other")
    cli("import", str(project), str(folder))
    out = cli("prelabel", str(project), "--assist", "faces", "--param", "min_score=0.6").stdout
    assert "2 of 2 unlabeled items pre-labeled with 1 objects" in out
    pre = _pre(db, project)
    (face,) = pre["astronaut.png"]["boundingBoxes"]
    assert face["label"] == "face" and face["source"] == "model" and face["model"].startswith("mediapipe-0.10.14")
    assert 168 < face["left"] < 188 and 73 < face["top"] < 93
    assert pre["astronaut.png"]["inputImageProperties"] == {"width": 512, "height": 512}
    assert pre["coins.png"]["boundingBoxes"] == []
    # a second run replaces the model's own objects instead of adding them again
    cli("prelabel", str(project), "--assist", "faces")
    assert _pre(db, project) == pre


def test_prelabel_errors_are_named(cli, make_project: Callable[..., int]) -> None:
    project = make_project(name="Boxes", task_type="bounding-box", labels="face")
    assert "no assist 'nope'" in cli("prelabel", str(project), "--assist", "nope", code=2).stderr
    assert "'sky' is not one of the project's labels" in cli(
        "prelabel", str(project), "--assist", "faces", "--label", "sky", code=2).stderr
    text = make_project(name="Texts", task_type="text-classification", labels="a,b")
    assert "does not support text-classification" in cli("prelabel", str(text), "--assist", "faces", code=2).stderr
