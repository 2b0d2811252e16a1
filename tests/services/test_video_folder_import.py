"""A folder imported into a video-captioning project takes its videos by reference (copied into the
data directory when outside the media roots) and leaves text and image files alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.db.engine import Database
from labelworks.services import imports, items
from labelworks.settings import Settings

from factories import Factory, OrgUsers


def test_videos_of_a_folder_become_items(db: Database, factory: Factory, org: OrgUsers, settings: Settings,
                                         tmp_path: Path) -> None:
    p = factory.project(org.manager, "video-captioning", labels=["caption"])
    folder = tmp_path / "clips"
    (folder / "day1").mkdir(parents=True)
    (folder / "day1" / "a.webm").write_bytes(b"\x1a\x45\xdf\xa3 webm")
    (folder / "b.MP4").write_bytes(b"mp4")
    (folder / "notes.txt").write_text("not a video", encoding="utf-8")
    (folder / "still.png").write_bytes(b"png")
    imports.import_folder(db, org.manager.actor, p.id, folder, roots=settings.allowed_media_roots,
                          media_dir=settings.media_dir)
    page = items.list_items(db, org.manager.actor, p.id, items.ItemFilter())
    refs = sorted(Path(row.data["source-ref"]).name for row in page.rows)
    assert refs == ["a.webm", "b.MP4"]
    assert all(Path(row.data["source-ref"]).is_relative_to(settings.media_dir) for row in page.rows)
    assert imports.media_suffixes("video") == imports.VIDEO_SUFFIXES
    empty = tmp_path / "texts"
    empty.mkdir()
    (empty / "a.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="no video files"):
        imports.import_folder(db, org.manager.actor, p.id, empty, roots=settings.allowed_media_roots,
                              media_dir=settings.media_dir)
