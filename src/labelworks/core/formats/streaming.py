"""What the dataset exports (COCO, YOLO, VOC, PNG masks) stream with: records spooled to disk, a zip
written member by member, and a COCO-style JSON document written element by element.

Every dataset format needs something known only after the last item: the class list (a label found
in an answer but no longer in the project comes last; YOLO puts ``classes.txt`` first), a mask
palette chosen from every answer's colours, COCO's keypoint categories. So a writer reads the items
once, checking each and spooling it to a temporary file (:class:`DiskList`), then writes the file
from the spool in small chunks. Memory stays flat (one item at a time), every error is raised
before the first byte (the API still answers 422, a job never leaves half a file), and the bytes
are the ones the in-memory writers produced: :class:`ZipStream` lays members out exactly as
``zipfile`` does on a seekable file (sizes in the local header, no data descriptor), and
:func:`indented_document` writes what ``orjson.dumps(doc, option=OPT_INDENT_2)`` would.
"""

from __future__ import annotations

import posixpath
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Generic, Protocol, TypeVar

import orjson

__all__ = ["DiskList", "Mapped", "Reread", "Rereadable", "UniqueStems", "ZipStream", "LaterMember",
           "indented_document", "indented_array", "Streamed", "rechunk", "closing", "CHUNK"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Rereadable(Protocol[T_co]):
    """What the stream writers take: sized, and iterable more than once (a list, a :class:`Mapped`)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[T_co]: ...

CHUNK = 64 * 1024
# zipfile's constants (PKWARE APPNOTE 4.3): the layout below matches CPython's zipfile byte for byte
_ZIP64_LIMIT = (1 << 31) - 1
_FILECOUNT_LIMIT = (1 << 16) - 1
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
_UTF8_NAME = 0x800
_VERSION, _ZIP64_VERSION = 20, 45
_CREATE_SYSTEM = 3  # Unix, as zipfile writes on POSIX
_ATTRS = 0o600 << 16  # what zipfile gives a member written from bytes: rw-------
STORED, DEFLATED = 0, 8


def rechunk(pieces: Iterable[bytes], size: int = CHUNK) -> Iterator[bytes]:
    """Small pieces joined into chunks of at most ``size`` bytes (one write per chunk, not per
    line); a piece larger than that (a big mask) goes out on its own."""
    buf: list[bytes] = []
    held = 0
    for piece in pieces:
        if buf and held + len(piece) > size:
            yield b"".join(buf)
            buf, held = [], 0
        buf.append(piece)
        held += len(piece)
    if buf:
        yield b"".join(buf)


def closing(chunks: Iterable[bytes], *spools: DiskList) -> Iterator[bytes]:
    """``chunks`` (of at most ``CHUNK`` bytes), then the spools' temporary files closed: at the
    end, or when the reader stops early (a dropped download closes the generator)."""
    try:
        yield from rechunk(chunks)
    finally:
        for spool in spools:
            spool.close()


def _copy(fh: IO[bytes]) -> Iterator[bytes]:
    fh.seek(0)
    while block := fh.read(CHUNK):
        yield block


class DiskList:
    """An append-only list of JSON values kept in a temporary file (one line each), read back in
    order as often as needed. The file has no name and goes when the list is closed or collected."""

    def __init__(self) -> None:
        self._fh: IO[bytes] = tempfile.TemporaryFile()
        self._count = 0

    def append(self, value: Any) -> None:
        self._fh.write(orjson.dumps(value) + b"\n")
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        self._fh.flush()
        self._fh.seek(0)
        for line in self._fh:
            yield orjson.loads(line)
        self._fh.seek(0, 2)  # appends go on at the end

    def close(self) -> None:
        self._fh.close()

    def mapped(self, read: Callable[[Any], T]) -> Mapped[T]:
        """The list read back through ``read`` (a record into the value it was made from)."""
        return Mapped(self, read)


class Mapped(Generic[T]):
    """A :class:`DiskList` seen through a function: sized, and iterable as often as needed."""

    def __init__(self, rows: DiskList, read: Callable[[Any], T]) -> None:
        self._rows, self._read = rows, read

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[T]:
        return map(self._read, self._rows)


class Reread(Generic[T]):
    """An iterable read afresh each time from ``make`` (a generator over a :class:`Mapped`)."""

    def __init__(self, make: Callable[[], Iterator[T]]) -> None:
        self._make = make

    def __iter__(self) -> Iterator[T]:
        return self._make()


class UniqueStems:
    """File names (no extension) from image references, made unique in order (two folders may both
    hold 0001.jpg: ``0001``, ``0001-2``), as ``detection.file_stems`` names them all at once."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def __call__(self, ref: str) -> str:
        base = posixpath.splitext(posixpath.basename(ref.rstrip("/").split("?")[0]))[0] or "image"
        stem, k = base, 1
        while stem in self._used:
            k += 1
            stem = f"{base}-{k}"
        self._used.add(stem)
        return stem


class Streamed:
    """An array of ``indented_document`` written element by element from an iterable."""

    def __init__(self, elements: Iterable[Any]) -> None:
        self.elements = elements


def _indented(value: Any, depth: int) -> bytes:
    # JSON strings hold no raw newline: every newline of the dump is one of its line breaks
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + b"  " * depth)


def indented_document(fields: Iterable[tuple[str, Any]]) -> Iterator[bytes]:
    """``orjson.dumps(dict(fields), option=OPT_INDENT_2) + b"\\n"`` in pieces: a value wrapped in
    :class:`Streamed` is written one element at a time (the others as they are)."""
    yield b"{"
    for k, (key, value) in enumerate(fields):
        yield (b",\n  " if k else b"\n  ") + orjson.dumps(key) + b": "
        if not isinstance(value, Streamed):
            yield _indented(value, 1)
            continue
        empty = True
        for element in value.elements:
            yield (b"[\n    " if empty else b",\n    ") + _indented(element, 2)
            empty = False
        yield b"[]" if empty else b"\n  ]"
    yield b"\n}\n"


def indented_array(elements: Iterable[Any]) -> Iterator[bytes]:
    """``orjson.dumps(list(elements), option=OPT_INDENT_2) + b"\\n"`` in pieces, an element at a time."""
    empty = True
    for element in elements:
        yield (b"[\n  " if empty else b",\n  ") + _indented(element, 1)
        empty = False
    yield b"[]\n" if empty else b"\n]\n"


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return h << 11 | mi << 5 | s // 2, (y - 1980) << 9 | mo << 5 | d


class ZipStream:
    """A zip written front to back: each ``member`` returns its local header and data, ``close``
    the central directory. The output is what ``zipfile.ZipFile(BytesIO(), "w")`` writes for the
    same ``writestr`` calls (fixed timestamps, so the same content zips to the same bytes); the
    central directory waits in a temporary file, not in memory."""

    def __init__(self, date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)) -> None:
        self._time, self._date = _dos_time(date_time)
        self._offset = 0
        self._count = 0
        self._central: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)

    @staticmethod
    def _name(name: str) -> tuple[bytes, int]:
        try:
            return name.encode("ascii"), 0
        except UnicodeEncodeError:
            return name.encode("utf-8"), _UTF8_NAME

    def _header(self, name: str, method: int, crc: int, size: int, packed: int) -> bytes:
        encoded, flags = self._name(name)
        # zipfile gives the local header zip64 sizes when the size is within 5 % of the limit
        zip64 = size * 1.05 > _ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, size, packed) if zip64 else b""
        version = _ZIP64_VERSION if zip64 else _VERSION
        header = _LOCAL.pack(b"PK\003\004", version, 0, flags, method, self._time, self._date, crc,
                             0xFFFFFFFF if zip64 else packed, 0xFFFFFFFF if zip64 else size, len(encoded), len(extra))
        big = size > _ZIP64_LIMIT or packed > _ZIP64_LIMIT
        central_extra: list[int] = [size, packed] if big else []
        if self._offset > _ZIP64_LIMIT:
            central_extra.append(self._offset)
        cextra = struct.pack("<HH" + "Q" * len(central_extra), 1, 8 * len(central_extra), *central_extra) \
            if central_extra else b""
        cversion = _ZIP64_VERSION if central_extra or zip64 else _VERSION
        self._central.write(_CENTRAL.pack(
            b"PK\001\002", cversion, _CREATE_SYSTEM, cversion, 0, flags, method, self._time, self._date, crc,
            0xFFFFFFFF if big else packed, 0xFFFFFFFF if big else size, len(encoded), len(cextra), 0, 0, 0,
            _ATTRS, 0xFFFFFFFF if self._offset > _ZIP64_LIMIT else self._offset) + encoded + cextra)
        self._count += 1
        return header + encoded + extra

    def member(self, name: str, data: bytes, *, compress: bool = True) -> bytes:
        """One member from its bytes (deflated, or stored as it is: PNGs are compressed already)."""
        if compress:
            packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
            body = packer.compress(data) + packer.flush()
        else:
            body = data
        out = self._header(name, DEFLATED if compress else STORED, zlib.crc32(data), len(data), len(body)) + body
        self._offset += len(out)
        return out

    def member_from(self, name: str, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """One deflated member from its bytes in pieces (an index of every image)."""
        later = self.later(name)
        for piece in pieces:
            later.write(piece)
        return later.finish()

    def later(self, name: str) -> LaterMember:
        """A deflated member written piece by piece while other members go out, put in the zip by
        its ``finish``: deflated into a temporary file meanwhile, since the header before the data
        holds the sizes and checksum."""
        return LaterMember(self, name)

    def _put_spooled(self, name: str, crc: int, size: int, spool: IO[bytes]) -> Iterator[bytes]:
        packed = spool.tell()
        header = self._header(name, DEFLATED, crc, size, packed)
        self._offset += len(header) + packed
        yield header
        yield from _copy(spool)

    def close(self) -> Iterator[bytes]:
        """The central directory and the end record (zip64's too past 65,535 members or 2 GiB)."""
        start, size = self._offset, self._central.tell()
        yield from _copy(self._central)
        self._central.close()
        count = self._count
        if count > _FILECOUNT_LIMIT or start > _ZIP64_LIMIT or size > _ZIP64_LIMIT:
            yield _END64.pack(b"PK\006\006", 44, 45, 45, 0, 0, count, count, size, start)
            yield _LOCATOR64.pack(b"PK\006\007", 0, start + size, 1)
            count, size, start = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(start, 0xFFFFFFFF)
        yield _END.pack(b"PK\005\006", 0, 0, count, count, size, start, 0)


class LaterMember:
    """See :meth:`ZipStream.later`."""

    def __init__(self, out: ZipStream, name: str) -> None:
        self._out, self._name = out, name
        self._packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        self._spool: IO[bytes] = tempfile.TemporaryFile()
        self._crc = self._size = 0

    def write(self, piece: bytes) -> None:
        self._crc = zlib.crc32(piece, self._crc)
        self._size += len(piece)
        self._spool.write(self._packer.compress(piece))

    def finish(self) -> Iterator[bytes]:
        self._spool.write(self._packer.flush())
        try:
            yield from self._out._put_spooled(self._name, self._crc, self._size, self._spool)
        finally:
            self._spool.close()
