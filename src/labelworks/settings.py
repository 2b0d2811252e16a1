"""One typed Settings object (environment prefix ``LABELWORKS_``); every field is documented.

Nothing is built at import time: the CLI and ``create_app`` call ``Settings()`` / ``load_settings()``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings", "load_settings", "WEAK_SECRETS"]

WEAK_SECRETS = {"", "changeme", "change-me", "secret", "default", "labelworks", "dev", "test"}
SECRET_FILE = "secret_key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LABELWORKS_", extra="ignore")

    data_dir: Path = Field(Path("labelworks-data"), description="Folder for the SQLite database, media, uploads, exports and the secret key.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default is SQLite in the data directory. Use postgresql+psycopg://… for PostgreSQL.")
    redis_url: str | None = Field(None, description="When set, jobs go to Redis and run in `labelworks worker` processes; otherwise in-process.")
    secret_key: str | None = Field(None, description="Signs cookies and media URLs. Generated into the data directory (mode 0600) on first run when unset.")
    host: str = Field("127.0.0.1", description="Address the server binds; loopback unless told otherwise.")
    port: int = Field(8000, description="Port the server listens on.")
    media_roots: Annotated[list[Path], NoDecode] = Field(default_factory=list, description="Extra local folders items may reference by path (the data directory's media/ is always allowed).")
    max_upload_mb: int = Field(2048, description="Largest accepted upload, in MiB.")
    session_days: int = Field(14, description="How long a login session lasts.")
    login_rate_limit: str = Field("10/minute", description="Failed-login attempts allowed per address and e-mail (limits syntax).")
    media_url_ttl_s: int = Field(600, description="Lifetime of a signed media URL, in seconds.")
    secure_cookies: bool = Field(False, description="Mark cookies Secure (set when served over HTTPS).")
    outbound_allow_private: bool = Field(False, description="Let model backends (and other outbound calls) reach loopback and private addresses; off, only public ones.")
    in_process_workers: int = Field(2, description="Threads running background jobs when no Redis is configured.")
    redteam_reply_writers: int = Field(16, ge=1, le=1024, description="Red-team replies written at once in this process (a thread each); more wait, shown as queued.")

    @field_validator("media_roots", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [p for p in value.split(os.pathsep) if p]
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'labelworks.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def allowed_media_roots(self) -> list[Path]:
        return [self.media_dir.resolve(), *(p.resolve() for p in self.media_roots)]


def _read_or_create_secret(data_dir: Path) -> str:
    path = data_dir / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with the secret key loaded or generated; weak secrets refused."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    settings.data_dir = settings.data_dir.resolve()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for sub in ("media", "uploads", "exports"):
        (settings.data_dir / sub).mkdir(exist_ok=True)
    if settings.secret_key is None:
        settings.secret_key = _read_or_create_secret(settings.data_dir)
    if settings.secret_key.strip().lower() in WEAK_SECRETS or len(settings.secret_key) < 16:
        raise ValueError(
            "LABELWORKS_SECRET_KEY is empty, a default or shorter than 16 characters; "
            "unset it to have one generated, or set a long random value"
        )
    return settings
