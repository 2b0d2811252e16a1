"""Settings: the environment prefix, a generated secret (0600, reused), weak secrets refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from labelworks.settings import load_settings


def test_secret_is_generated_once_with_private_mode(tmp_path: Path) -> None:
    first = load_settings(data_dir=tmp_path / "d")
    key_file = tmp_path / "d" / "secret_key"
    assert first.secret_key and len(first.secret_key) >= 40
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings(data_dir=tmp_path / "d").secret_key == first.secret_key
    for sub in ("media", "uploads", "exports"):
        assert (tmp_path / "d" / sub).is_dir()


@pytest.mark.parametrize("weak", ["", "changeme", "SECRET", "dev", "short-key"])
def test_weak_secrets_are_refused(tmp_path: Path, weak: str) -> None:
    with pytest.raises(ValueError, match="LABELWORKS_SECRET_KEY"):
        load_settings(data_dir=tmp_path, secret_key=weak)


def test_environment_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABELWORKS_DATA_DIR", str(tmp_path / "env-data"))
    monkeypatch.setenv("LABELWORKS_LOGIN_RATE_LIMIT", "3/minute")
    settings = load_settings()
    assert settings.data_dir == (tmp_path / "env-data").resolve()
    assert settings.login_rate_limit == "3/minute"
    assert settings.is_sqlite and settings.resolved_database_url.endswith("env-data/labelworks.db")
    assert settings.allowed_media_roots[0] == (tmp_path / "env-data" / "media").resolve()


def test_media_roots_as_keyword_split_on_the_path_separator(tmp_path: Path) -> None:
    joined = os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])
    assert load_settings(data_dir=tmp_path, media_roots=joined).media_roots == [tmp_path / "a", tmp_path / "b"]


def test_media_roots_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABELWORKS_MEDIA_ROOTS", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    assert load_settings(data_dir=tmp_path).media_roots == [tmp_path / "a", tmp_path / "b"]
