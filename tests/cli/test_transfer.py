"""``import`` (manifest, CSV, JSON, folders; bad lines; twice) and ``export`` (three formats)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from labelworks.db.engine import Database
from labelworks.services import accounts, annotations, assignments, items

GOOD_AND_BAD = (b'{"source": "a purring cat", "id": 1}\n'
                b'not json at all\n'
                b'{"note": "no source here"}\n'
                b'{"source-ref": "s3://bucket/dog.jpg", "id": 4}\n')
ANNOTATOR = "ann@example.org"


@pytest.fixture
def project(make_project: Callable[..., int]) -> int:
    return make_project()


def _count(db: Database, owner: str, project_id: int) -> int:
    return items.progress(db, accounts.actor_for(accounts.find_user(db, owner)), project_id).total


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_bad_line_rejects_the_whole_file_with_its_line_numbers(cli, db: Database, owner: str, project: int,
                                                                  tmp_path: Path) -> None:
    result = cli("import", str(project), str(_write(tmp_path / "in.manifest", GOOD_AND_BAD)), code=2)
    assert "error (file): line 2: not valid JSON" in result.stderr
    assert "nothing was imported" in result.stderr
    assert "  line 2: not valid JSON" in result.stderr
    assert "  line 3: needs a non-empty 'source' or 'source-ref'" in result.stderr
    assert _count(db, owner, project) == 0


def test_skip_invalid_imports_the_good_lines_and_lists_the_bad(cli, db: Database, owner: str, project: int,
                                                               tmp_path: Path) -> None:
    path = _write(tmp_path / "in.manifest", GOOD_AND_BAD)
    result = cli("import", str(project), str(path), "--skip-invalid")
    assert "4 lines: 2 items created, 0 already there, 2 bad lines skipped" in result.stdout
    assert "line 2: not valid JSON" in result.stderr and "line 3:" in result.stderr
    assert _count(db, owner, project) == 2


def test_many_bad_lines_list_the_first_20_and_a_count(cli, project: int, tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.manifest", b'{"source": "ok"}\n' + b"[1]\n" * 25)
    result = cli("import", str(project), str(path), code=2)
    listed = [line for line in result.stderr.splitlines() if line.startswith("  line ")]
    assert [line.split(":")[0] for line in listed] == [f"  line {n}" for n in range(2, 22)]
    assert "… and 5 more" in result.stderr
    assert "(and 24 more)" in result.stderr
    skipped = cli("import", str(project), str(path), "--skip-invalid")
    assert "26 lines: 1 items created, 0 already there, 25 bad lines skipped" in skipped.stdout
    assert "… and 5 more" in skipped.stderr


def test_a_file_with_hundreds_of_bad_lines_gives_the_total(cli, project: int, tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.manifest", b"[1]\n" * 150)
    result = cli("import", str(project), str(path), code=2)
    assert "(and 149 more); nothing was imported" in result.stderr
    assert "… and at least 80 more" in result.stderr


def test_importing_a_file_twice_adds_nothing_twice(cli, db: Database, owner: str, project: int, tmp_path: Path) -> None:
    lines = b"".join(b'{"source": "text %d"}\n' % i for i in range(30))
    path = _write(tmp_path / "in.jsonl", lines)
    assert "30 lines: 30 items created, 0 already there" in cli("import", str(project), str(path)).stdout
    assert "30 lines: 0 items created, 30 already there" in cli("import", str(project), str(path)).stdout
    assert _count(db, owner, project) == 30


def test_csv_import_keeps_every_column(cli, db: Database, owner: str, project: int, tmp_path: Path) -> None:
    path = _write(tmp_path / "items.csv", b"source,lang\nhello there,en\n\"bonjour, toi\",fr\n")
    assert "2 lines: 2 items created" in cli("import", str(project), str(path)).stdout
    out = tmp_path / "out.manifest"
    cli("export", str(project), "--format", "manifest", "-o", str(out))
    assert [json.loads(line) for line in out.read_text().splitlines()] == [
        {"source": "hello there", "lang": "en"}, {"source": "bonjour, toi", "lang": "fr"}]


def test_format_auto_reads_a_json_array_and_format_can_be_forced(cli, db: Database, owner: str, project: int,
                                                                  tmp_path: Path) -> None:
    array = _write(tmp_path / "items.json", json.dumps([{"source": "one"}, {"source": "two"}]).encode())
    assert "2 lines: 2 items created" in cli("import", str(project), str(array)).stdout
    odd_name = _write(tmp_path / "items.data", b'{"source": "three"}\n')
    assert "1 lines: 1 items created" in cli("import", str(project), str(odd_name), "--format", "manifest").stdout
    assert _count(db, owner, project) == 3


def test_import_errors_before_reading(cli, project: int, tmp_path: Path) -> None:
    assert "does not exist" in cli("import", str(project), str(tmp_path / "missing.csv"), code=2).stderr
    path = _write(tmp_path / "in.manifest", b'{"source": "x"}\n')
    assert "no project 999" in cli("import", "999", str(path), code=2).stderr
    assert "is not a folder" in cli("import", str(project), str(path), "--format", "folder", code=2).stderr


def test_folder_of_images_is_copied_into_the_media_folder(cli, make_project, data_dir: Path, tmp_path: Path) -> None:
    pid = make_project(name="Shapes", task_type="image-classification", labels="circle,square")
    folder = tmp_path / "pictures"
    (folder / "sub").mkdir(parents=True)
    for i, name in enumerate(["a.png", "b.jpg", "sub/c.png"]):
        Image.new("RGB", (8, 8), (40 * i, 0, 0)).save(folder / name)
    (folder / "notes.txt").write_text("not an image")
    result = cli("import", str(pid), str(folder))
    assert "3 lines: 3 items created, 0 already there" in result.stdout
    assert "3 lines: 0 items created, 3 already there" in cli("import", str(pid), str(folder)).stdout
    out = tmp_path / "out.manifest"
    cli("export", str(pid), "-o", str(out))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    media = (data_dir / "media").resolve()
    assert sorted(r["file"] for r in rows) == ["a.png", "b.jpg", "sub/c.png"]
    for row in rows:
        copied = Path(row["source-ref"])
        assert media in copied.parents and copied.read_bytes() == (folder / row["file"]).read_bytes()


def test_folder_of_text_files_for_a_text_project(cli, project: int, tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "one.txt").write_text("first text")
    (folder / "two.md").write_text("second text")
    (folder / "image.png").write_bytes(b"\x89PNG")
    assert "2 lines: 2 items created" in cli("import", str(project), str(folder)).stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no text files found" in cli("import", str(project), str(empty), code=2).stderr


# ------------------------------------------------------------------------------------ export


def _label(db: Database, email: str, project_id: int, value: dict[str, object], n: int) -> None:
    """``email`` labels the first ``n`` items it is given."""
    actor = accounts.actor_for(accounts.find_user(db, email))
    for _ in range(n):
        lease = assignments.next_for(db, actor, project_id)
        assert lease is not None
        annotations.submit(db, actor, lease.assignment_id, value)


@pytest.fixture
def labeled(cli, db: Database, owner: str, make_project, tmp_path: Path) -> tuple[int, list[bytes]]:
    """Three items, the first two labeled "dog" by the owner and an annotator; (project, input lines)."""
    project = make_project("--workers-per-item", "2")
    cli("user", "create", ANNOTATOR, "--password", "correct-horse-battery", "--role", "annotator")
    lines = [b'{"source": "woof", "id": 1}', b'{"source":"bark",   "id":2}', b'{"id": 3, "source": "tweet"}']
    cli("import", str(project), str(_write(tmp_path / "in.manifest", b"\n".join(lines) + b"\n")))
    _label(db, owner, project, {"label": "dog"}, 2)
    _label(db, ANNOTATOR, project, {"label": "dog"}, 2)
    return project, lines


def test_export_manifest_has_ground_truths_output_shape(cli, labeled: tuple[int, list[bytes]], tmp_path: Path) -> None:
    project, inputs = labeled
    out = tmp_path / "output.manifest"
    result = cli("export", str(project), "--format", "manifest", "-o", str(out))
    data = out.read_bytes()
    assert f"wrote {len(data):,} bytes (3 items) to {out}" in result.stdout
    assert not (tmp_path / "output.manifest.part").exists()
    lines = data.splitlines()
    assert len(lines) == 3
    for raw, original in zip(lines[:2], inputs[:2], strict=True):
        row = json.loads(raw)
        assert {k: row[k] for k in json.loads(original)} == json.loads(original)  # the input, kept
        assert row["pets"] == 1  # the label's position in the project's list
        meta = row["pets-metadata"]
        assert meta["class-name"] == "dog"
        assert meta["confidence"] == pytest.approx(1.0)
        assert meta["type"] == "groundtruth/text-classification"
        assert meta["human-annotated"] == "yes"
        assert meta["job-name"] == "labeling-job/pets"
        assert meta["creation-date"].startswith("20")
    assert lines[2] == inputs[2]  # an unlabeled item is its input line, unchanged


def test_export_jsonl_has_every_annotation(cli, labeled: tuple[int, list[bytes]], tmp_path: Path) -> None:
    project, _ = labeled
    out = tmp_path / "annotations.jsonl"
    cli("export", str(project), "--format", "jsonl", "-o", str(out))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["data"]["id"] for r in rows] == [1, 2, 3]
    assert [(a["worker"], a["value"]) for a in rows[0]["annotations"]] == [
        ("owner@example.org", {"label": "dog"}), (ANNOTATOR, {"label": "dog"})]
    assert rows[0]["consolidated"]["value"] == {"label": "dog"} and rows[0]["consolidated"]["votes"] == 2
    assert rows[2]["annotations"] == [] and rows[2]["consolidated"] is None


def test_export_csv_to_standard_output(cli, labeled: tuple[int, list[bytes]]) -> None:
    project, _ = labeled
    result = cli("export", str(project), "--format", "csv", "-o", "-")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["source"], r["label"], r["workers"]) for r in rows] == [
        ("woof", "dog", "ann@example.org;owner@example.org"), ("bark", "dog", "ann@example.org;owner@example.org"),
        ("tweet", "", "")]
    assert "wrote" not in result.stdout


def test_export_of_a_multi_label_project(cli, db: Database, owner: str, make_project, tmp_path: Path) -> None:
    pid = make_project("--multi-label", name="Topics", labels="politics,sport,science")
    cli("import", str(pid), str(_write(tmp_path / "in.manifest", b'{"source": "Minister resigns over stadium"}\n')))
    _label(db, owner, pid, {"labels": ["politics", "sport"]}, 1)
    out = tmp_path / "out.manifest"
    cli("export", str(pid), "-o", str(out))
    row = json.loads(out.read_text())
    assert row["topics"] == [0, 1]  # one worker: confidence 0.00, as Ground Truth reports it
    meta = row["topics-metadata"]
    assert meta["class-map"] == {"0": "politics", "1": "sport"}
    assert meta["type"] == "groundtruth/text-classification-multilabel"
    assert meta["human-annotated"] == "yes" and meta["job-name"] == "labeling-job/topics"
    assert meta["confidence-map"] == {"0": 0.0, "1": 0.0}


def test_export_errors_leave_no_partial_file(cli, project: int, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "out.manifest"
    result = cli("export", str(project), "-o", str(target), code=2)
    assert "No such file or directory" in result.stderr
    assert not target.parent.exists()
    assert "no project 999" in cli("export", "999", "-o", str(tmp_path / "x"), code=2).stderr
    assert "xml" in cli("export", str(project), "--format", "xml", "-o", str(tmp_path / "x"), code=2).stderr
    assert list(tmp_path.glob("x*")) == []
