"""A Parquet file written as a stream of byte chunks, one per row group, so an export of millions of
rows never holds the file (or more than one row group of rows) in memory."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["stream_parquet"]


def stream_parquet(schema: Any, rows: Iterable[dict[str, Any]], row_group: int = 1000) -> Iterator[bytes]:
    """Rows (dicts keyed by the schema's names) as Parquet bytes (zstd), yielded per row group; the
    last chunk carries the footer. ``schema`` is a ``pyarrow.Schema`` (its metadata is kept)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")

    def take() -> bytes:
        data = sink.getvalue()
        sink.seek(0)
        sink.truncate()
        return data

    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= row_group:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            batch = []
            yield take()
    if batch:
        writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    writer.close()
    yield take()
