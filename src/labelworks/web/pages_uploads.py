"""Multipart uploads streamed straight into their final folder.

Starlette's ``request.form()`` spools every file to a temporary file first, so a 2 GB manifest is
written twice and the size limit is only known afterwards. Here each file part goes to the path
``place`` chooses as its bytes arrive, the limit is checked per chunk, and on any failure every
file written so far is removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from ..core.errors import PayloadTooLarge, ValidationFailed

__all__ = ["SavedFile", "Upload", "receive", "safe_filename"]

_MAX_FIELDS = 50
_MAX_FIELD_BYTES = 64 * 1024


@dataclass(frozen=True)
class SavedFile:
    filename: str  # sanitised, as it was saved
    path: Path
    size: int


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[SavedFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # file names ``place`` turned down


def safe_filename(name: str) -> str:
    """The last path component, in a small alphabet, never hidden, at most 120 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 10:
        return (stem[: 119 - len(suffix)] or "file") + "." + suffix
    return name[:120] or "file"


class _Receiver:
    def __init__(self, place: Callable[[str], Path | None], limit: int, max_files: int) -> None:
        self.place, self.limit, self.max_files = place, limit, max_files
        self.upload = Upload()
        self.total = 0
        self.pending: list[tuple[IO[bytes], bytes]] = []
        self.opened: list[tuple[IO[bytes], Path]] = []
        self._name = b""
        self._value = b""
        self._disposition = b""
        self._field: str | None = None
        self._data = bytearray()
        self._file: IO[bytes] | None = None
        self._saved: tuple[str, Path] | None = None
        self._size = 0
        self._discard = False

    # python-multipart callbacks (synchronous; file writes are queued and flushed off the event loop)
    def on_part_begin(self) -> None:
        self._disposition, self._field, self._data = b"", None, bytearray()
        self._file, self._saved, self._size, self._discard = None, None, 0, False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        if self._name.lower() == b"content-disposition":
            self._disposition = self._value
        self._name, self._value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._field = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.upload.fields) >= _MAX_FIELDS:
                raise ValidationFailed("the form has too many fields")
            return
        raw = options[b"filename"].decode("utf-8", "replace")
        if not raw:  # an empty file input still sends a part
            self._discard = True
            return
        if len(self.upload.files) >= self.max_files:
            many = "one file" if self.max_files == 1 else f"at most {self.max_files} files"
            raise ValidationFailed(f"send {many} at once", field="file")
        name = safe_filename(raw)
        target = self.place(name)
        if target is None:
            self.upload.refused.append(name)
            self._discard = True
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target = _unused(target)
        self._file = target.open("xb")
        self.opened.append((self._file, target))
        self._saved = (name, target)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._discard:
            return
        chunk = data[start:end]
        if self._file is None:
            if len(self._data) + len(chunk) > _MAX_FIELD_BYTES:
                raise ValidationFailed(f"the form field {self._field!r} is too long")
            self._data.extend(chunk)
            return
        self.total += len(chunk)
        self._size += len(chunk)
        if self.total > self.limit:
            raise PayloadTooLarge(f"the upload is larger than {self.limit // 2**20} MiB", field="file")
        self.pending.append((self._file, chunk))

    def on_part_end(self) -> None:
        if self._saved is not None:
            self.upload.files.append(SavedFile(self._saved[0], self._saved[1], self._size))
        elif self._field is not None and not self._discard:
            self.upload.fields[self._field] = self._data.decode("utf-8", "replace")

    def flush(self) -> None:
        for fh, chunk in self.pending:
            fh.write(chunk)
        self.pending.clear()

    def close(self, *, remove: bool) -> None:
        for fh, path in self.opened:
            fh.close()
            if remove:
                path.unlink(missing_ok=True)


def _unused(path: Path) -> Path:
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


async def receive(request: Request, place: Callable[[str], Path | None], limit_bytes: int, *,
                  max_files: int = 10_000) -> Upload:
    """Read a multipart form; each file goes to ``place(safe name)`` (``None`` refuses the file)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit_bytes + 64 * 1024:
        raise PayloadTooLarge(f"the upload is larger than {limit_bytes // 2**20} MiB", field="file")
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise ValidationFailed("send the file as multipart/form-data", field="file")
    receiver = _Receiver(place, limit_bytes, max_files)
    parser = MultipartParser(boundary, {
        "on_part_begin": receiver.on_part_begin, "on_part_data": receiver.on_part_data,
        "on_part_end": receiver.on_part_end, "on_header_field": receiver.on_header_field,
        "on_header_value": receiver.on_header_value, "on_header_end": receiver.on_header_end,
        "on_headers_finished": receiver.on_headers_finished})
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if receiver.pending:
                await run_in_threadpool(receiver.flush)
        parser.finalize()
    except FormParserError:
        receiver.close(remove=True)
        raise ValidationFailed("the upload is not valid multipart form data", field="file") from None
    except BaseException:
        receiver.close(remove=True)
        raise
    receiver.close(remove=False)
    return receiver.upload
