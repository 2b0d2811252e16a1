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

__all__ = ["MediaSigner", "MediaFile", "open_media", "media_kind", "byte_range", "RangeNotSatisfiable", "SAFE_TYPES"]

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
    # (first, last) byte served when the request named one range of a local file (HTTP 206)
    byte_range: tuple[int, int] | None = None


class RangeNotSatisfiable(Exception):
    """A ``Range`` header that lies outside the file (HTTP 416)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the range lies outside the file's {size} bytes")
        self.size = size


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) byte of a single ``Range: bytes=...`` on a file of ``size`` bytes, or None
    to send the whole file (no header, several ranges, another unit: RFC 9110 lets a server ignore
    them). Video players need ranges to seek; RangeNotSatisfiable when it starts past the end."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first_s, sep, last_s = header[len("bytes="):].strip().partition("-")
    if not sep or not (first_s.isdigit() or (not first_s and last_s.isdigit())) or (last_s and not last_s.isdigit()):
        return None
    if not first_s:  # the last N bytes
        n = int(last_s)
        if n == 0:
            raise RangeNotSatisfiable(size)
        return max(0, size - n), size - 1
    first = int(first_s)
    last = min(int(last_s), size - 1) if last_s else size - 1
    if first >= size or last < first:
        raise RangeNotSatisfiable(size)
    return first, last


def _local_path(ref: str) -> Path:
    parsed = urlparse(ref)
    if parsed.scheme == "file":
        return Path(parsed.path)
    return Path(ref)


def _within(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def _read(path: Path, start: int = 0, length: int | None = None) -> Iterator[bytes]:
    with path.open("rb") as fh:
        fh.seek(start)
        left = length
        while left is None or left > 0:
            chunk = fh.read(256 * 1024 if left is None else min(256 * 1024, left))
            if not chunk:
                break
            if left is not None:
                left -= len(chunk)
            yield chunk


def open_media(ref: str, roots: list[Path], range_header: str | None = None) -> MediaFile:
    """Open a local path (inside ``roots`` only, symlinks resolved) or an fsspec URL such as s3://.

    ``range_header`` (the request's ``Range``) serves one byte range of a local file; remote files
    are always sent whole."""
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
        size = path.stat().st_size
        wanted = byte_range(range_header, size)
        if wanted is not None:
            first, last = wanted
            return MediaFile(content_type, size, _read(path, first, last - first + 1), download, wanted)
        return MediaFile(content_type, size, _read(path), download)
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
