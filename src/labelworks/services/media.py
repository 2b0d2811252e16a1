"""Media: short-lived signed URLs, and reading a referenced file only inside the allowed roots.

A URL is minted for one user at the moment a task is rendered for them (so only users allowed
to see the item ever get one); it names the reference and expires after ``media_url_ttl_s``.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..core.errors import NotFound, PermissionDenied

__all__ = ["MediaSigner", "MediaFile", "open_media", "media_kind", "SAFE_TYPES"]

# Served with these types only; anything else goes out as a download (never sniffed, never HTML).
SAFE_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff",
    ".txt": "text/plain; charset=utf-8", ".pdf": "application/pdf",
    # audio and video players (<audio controls>, <video controls>) in classification templates
    ".mp3": "audio/mpeg", ".wav": "audio/wav", ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg",
    ".m4a": "audio/mp4", ".flac": "audio/flac", ".aac": "audio/aac",
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg", ".mov": "video/quicktime",
}


def media_kind(ref: str) -> str:
    """``image``, ``audio``, ``video``, ``pdf`` or ``""`` for a reference, by its file extension."""
    suffix = Path(urlparse(ref).path).suffix.lower()
    content_type = SAFE_TYPES.get(suffix, "")
    if content_type == "application/pdf":
        return "pdf"
    kind = content_type.split("/", 1)[0]
    return kind if kind in ("image", "audio", "video") else ""


class MediaSigner:
    def __init__(self, secret: str, ttl_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="labelworks.media")
        self.ttl_s = ttl_s

    def url(self, ref: str, user_id: int, prefix: str = "/media/") -> str:
        """A browser-usable URL for ``ref``; http(s) URLs are left as they are."""
        if urlparse(ref).scheme in ("http", "https", "data"):
            return ref
        return prefix + self._serializer.dumps({"r": ref, "u": user_id})

    def verify(self, token: str) -> str:
        try:
            payload = self._serializer.loads(token, max_age=self.ttl_s)
        except SignatureExpired:
            raise PermissionDenied("this media link has expired; reload the task") from None
        except BadSignature:
            raise NotFound("no such media") from None
        return str(payload["r"])


@dataclass
class MediaFile:
    content_type: str
    size: int | None
    chunks: Iterator[bytes]
    download_name: str | None  # set when the type is not one we display inline


def _local_path(ref: str) -> Path:
    parsed = urlparse(ref)
    if parsed.scheme == "file":
        return Path(parsed.path)
    return Path(ref)


def _within(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def _read(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(256 * 1024):
            yield chunk


def open_media(ref: str, roots: list[Path]) -> MediaFile:
    """Open a local path (inside ``roots`` only, symlinks resolved) or an fsspec URL such as s3://."""
    scheme = urlparse(ref).scheme
    suffix = Path(urlparse(ref).path).suffix.lower()
    content_type = SAFE_TYPES.get(suffix)
    download = None if content_type else (Path(urlparse(ref).path).name or "file")
    content_type = content_type or "application/octet-stream"
    if scheme in ("", "file"):
        path = _local_path(ref).resolve()
        if not _within(path, roots):
            raise NotFound("no such media")  # outside the roots looks like absent, never like forbidden
        if not path.is_file():
            raise NotFound("no such media")
        return MediaFile(content_type, path.stat().st_size, _read(path), download)
    import fsspec

    try:
        fh = fsspec.open(ref, "rb").open()
    except (FileNotFoundError, ImportError, ValueError) as exc:
        raise NotFound(f"cannot open media ({type(exc).__name__})") from None

    def chunks() -> Iterator[bytes]:
        with fh:
            while chunk := fh.read(256 * 1024):
                yield chunk

    return MediaFile(content_type, None, chunks(), download)


def guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
