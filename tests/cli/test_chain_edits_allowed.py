"""label → adjust from the CLI with Ground Truth's ``editsAllowed`` in the label-category file: the chained
project keeps the file, its editor gets it, and the server refuses an answer that changes what it protects."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from labelworks.core.errors import ValidationFailed
from labelworks.db.engine import Database
from labelworks.db.models import Item
from labelworks.services import accounts, annotations, assignments, imports, projects, templates

from .conftest import Cli

LABEL_FILE = {
    "document-version": "2018-11-28",
    "labels": [{"label": "car", "editsAllowed": "none"}, {"label": "person"}],
    "categoryGlobalAttributes": [{"name": "occluded", "type": "string", "enum": ["no", "partly"],
                                  "editsAllowed": "none"}],
}
CAR = {"label": "car", "left": 10, "top": 20, "width": 100, "height": 50,
       "labelCategoryAttributes": {"occluded": "no"}}
PERSON = {"label": "person", "left": 300, "top": 40, "width": 30, "height": 80,
          "labelCategoryAttributes": {"occluded": "partly"}}
SIZE = {"width": 640, "height": 480}


def test_label_then_adjust_with_edits_allowed(cli: Cli, db: Database, owner: str, tmp_path: Path) -> None:
    label_file = tmp_path / "labels.json"
    label_file.write_text(json.dumps(LABEL_FILE), encoding="utf-8")
    source = int(cli("project", "create", "Street", "--type", "bounding-box", "--labels-file", str(label_file)).stdout)
    actor = accounts.actor_for(accounts.find_user(db, owner))
    imports.import_rows(db, actor, source, [{"source-ref": "s3://b/a.jpg"}])
    lease = assignments.next_for(db, actor, source)
    assert lease is not None
    annotations.submit(db, actor, lease.assignment_id,
                       {"boxes": {"boundingBoxes": [CAR, PERSON], "inputImageProperties": SIZE}})

    chained = int(cli("project", "chain", str(source), "--mode", "adjustment", "--name", "Fix street").stdout)
    info = projects.get_project(db, actor, chained)
    assert info.labels.fixed_labels == ("car",)
    with db.read() as s:
        (row,) = [json.loads(d) for d in s.scalars(select(Item.data).where(Item.project_id == chained))]
    # the earlier attribute values come with the earlier boxes, and the editor gets the label file
    assert row["lw-pre-annotations"]["boundingBoxes"] == [CAR, PERSON]
    page = templates.render_task(info.effective_template, row, list(info.labels.labels))
    found = re.search(r'<lw-bounding-box name="boxes" header="[^"]*" labels="([^"]*)"', page)
    assert found is not None
    assert json.loads(html.unescape(found.group(1)))["labels"][0] == {"label": "car", "editsAllowed": "none"}

    def submit(*boxes: dict[str, object]) -> dict[str, object]:
        lease = assignments.next_for(db, actor, chained)
        assert lease is not None
        stored, _ = annotations.submit(db, actor, lease.assignment_id,
                                       {"boxes": {"boundingBoxes": list(boxes), "inputImageProperties": SIZE}})
        return stored.value

    with pytest.raises(ValidationFailed) as moved:
        submit(dict(CAR, left=15), PERSON)
    assert (moved.value.field, moved.value.message) == (
        "value.boxes.boundingBoxes[0]",
        "the category 'car' may not be changed (editsAllowed: none): this box was moved or reshaped")
    with pytest.raises(ValidationFailed) as attribute:
        submit(CAR, dict(PERSON, left=310, labelCategoryAttributes={"occluded": "no"}))
    assert attribute.value.field == "value.boxes.boundingBoxes[1].labelCategoryAttributes.occluded"
    # what editsAllowed leaves open: the person moves; the answer is stored as adjusted
    value = submit(CAR, dict(PERSON, left=310))
    assert value["adjustment-status"] == "adjusted"

    out = tmp_path / "fixed.manifest"
    cli("export", str(chained), "--format", "manifest", "-o", str(out))
    (line,) = [json.loads(t) for t in out.read_text(encoding="utf-8").splitlines() if t.strip()]
    assert line["fix-street-metadata"]["adjustment-status"] == "adjusted"
    annotations_out = line["fix-street"]["annotations"]
    assert [a["left"] for a in annotations_out] == [10, 310]
    assert [a["label-category-attributes"] for a in annotations_out] == [{"occluded": "no"}, {"occluded": "partly"}]
