"""Near-duplicate groups over L2-normalised embeddings: exact, in bounded memory (pure numpy/scipy).

A group is a connected component of the graph "cosine similarity ≥ threshold". Every pair is
considered — nothing approximate — but never all at once:

* **identical vectors are collapsed first** (the same text gives the same float16 bytes); a copy
  joins its original directly, with their similarity computed once;
* **the upper triangle of V·Vᵀ is computed tile by tile**: ``tile`` × ``tile`` float32 products,
  rows converted from float16 per tile, one reused output buffer. Only the pairs at or above the
  threshold leave a tile;
* **pairs are merged into components as they arrive** (scipy's ``connected_components`` over the
  current components, each pending batch of at most ``_EDGE_BUDGET`` pairs), keeping each
  component's weakest similarity, so the pair list never grows with n² either.

Peak memory is the float16 matrix plus one row band in float32 and a tile or two (about 35 MB
for ``tile=2048``, whatever n), instead of a 512 × n float32 block (200 MB at 100k items) plus a
float32 copy of the whole matrix and a Python list of every pair. Time stays n²·d/2
multiply-adds — the exact answer's floor — spent in BLAS on cache-sized tiles
(bench/dedup_scale.py measures both).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import connected_components

__all__ = ["DuplicateGroup", "near_duplicate_groups", "Progress"]

Progress = Callable[[int, int], None]  # (tiles done, tiles in all): called after every tile

_EDGE_BUDGET = 2_000_000  # pending pairs merged into the components once this many wait (~40 MB)


@dataclass(frozen=True)
class DuplicateGroup:
    members: tuple[int, ...]  # row positions, ascending
    min_similarity: float  # the weakest pair similarity that joined the group


class _Components:
    """Union of pair batches into components; ``label[row]`` is a component id, ``weak[id]`` its
    lowest edge similarity (inf while the component is one row)."""

    def __init__(self, n: int) -> None:
        self.label = np.arange(n, dtype=np.int64)
        self.weak = np.full(n, np.inf, dtype=np.float64)
        self._i: list[npt.NDArray[np.int64]] = []
        self._j: list[npt.NDArray[np.int64]] = []
        self._s: list[npt.NDArray[np.float32]] = []
        self._pending = 0

    def add(self, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64], sims: npt.NDArray[np.float32]) -> None:
        if i.size == 0:
            return
        self._i.append(i)
        self._j.append(j)
        self._s.append(sims)
        self._pending += i.size
        if self._pending >= _EDGE_BUDGET:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        ci, cj = self.label[np.concatenate(self._i)], self.label[np.concatenate(self._j)]
        sims = np.concatenate(self._s).astype(np.float64)
        self._i, self._j, self._s, self._pending = [], [], [], 0
        k = self.weak.size  # components so far; the graph's nodes are they
        graph = sparse.coo_matrix((np.ones(ci.size, dtype=np.int8), (ci, cj)), shape=(k, k))
        count, merged = connected_components(graph, directed=False)
        weak = np.full(count, np.inf, dtype=np.float64)
        np.minimum.at(weak, merged, self.weak)
        np.minimum.at(weak, merged[ci], sims)
        self.label = merged[self.label].astype(np.int64)
        self.weak = weak


def _tile_pairs(rows: npt.NDArray[np.floating], where: npt.NDArray[np.int64] | None, threshold: float, tile: int,
                components: _Components, progress: Progress | None = None) -> None:
    """Feed every pair of the rows ``where`` (ascending; all rows when None) at or above ``threshold``
    to ``components``. Tiles are taken from ``rows`` as they are needed: no second copy of the matrix."""
    m = rows.shape[0] if where is None else where.size

    def take(start: int) -> npt.NDArray[np.float32]:
        part = rows[start:start + tile] if where is None else rows[where[start:start + tile]]  # a gather is 2.5x slower
        return np.asarray(part, dtype=np.float32)

    def position(local: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
        return local.astype(np.int64) if where is None else where[local]

    out = np.empty((tile, tile), dtype=np.float32)
    bands = -(-m // tile)
    total, done = bands * (bands + 1) // 2, 0  # the upper triangle's tiles, the diagonal included
    for r0 in range(0, m, tile):
        band = take(r0)
        for c0 in range(r0, m, tile):
            if progress is not None and done:
                progress(done, total)
            done += 1
            other = band if c0 == r0 else take(c0)
            h, w = band.shape[0], other.shape[0]
            sims = out.reshape(-1)[:h * w].reshape(h, w)  # edge tiles: the buffer's front, contiguous for out=
            np.matmul(band, other.T, out=sims)
            if c0 == r0:  # the diagonal tile: the strict upper triangle only
                r, c = np.nonzero(sims >= threshold)
                keep = c > r
                r, c = r[keep], c[keep]
            else:  # most rows of a tile hold no pair: a row maximum (SIMD) finds the few that do
                rows_hit = np.flatnonzero(sims.max(axis=1) >= threshold)
                if not rows_hit.size:
                    continue
                r, c = np.nonzero(sims[rows_hit] >= threshold)
                r = rows_hit[r]
            if r.size:
                components.add(position(r0 + r), position(c0 + c), sims[r, c])
    if progress is not None:
        progress(total, total)


def _identical_rows(rows: npt.NDArray[np.floating]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(original, copy) row pairs of byte-identical rows, each copy paired with the first row like it.

    Rows are hashed in chunks (a wrapping dot product of their bits with random odd multipliers:
    n 8-byte keys instead of sorting the whole matrix) and only rows with equal hashes are compared
    byte for byte, so a hash collision never joins two different rows."""
    n = rows.shape[0]
    bits = rows.view(np.dtype(f"u{rows.dtype.itemsize}"))
    multipliers = np.random.default_rng(0).integers(1, 2**63, size=rows.shape[1], dtype=np.uint64) | np.uint64(1)
    hashes = np.empty(n, dtype=np.uint64)
    for start in range(0, n, 4096):
        hashes[start:start + 4096] = (bits[start:start + 4096].astype(np.uint64) * multipliers).sum(axis=1)
    order = np.argsort(hashes, kind="stable")  # equal hashes in row order: the first is the original
    run_start = np.r_[True, hashes[order][1:] != hashes[order][:-1]]
    head = order[np.maximum.accumulate(np.where(run_start, np.arange(n), 0))]
    candidates = np.flatnonzero(~run_start)
    same = (rows[order[candidates]] == rows[head[candidates]]).all(axis=1) if candidates.size else np.zeros(0, bool)
    return head[candidates[same]].astype(np.int64), order[candidates[same]].astype(np.int64)


def near_duplicate_groups(vectors: npt.NDArray[np.floating], threshold: float, *,
                          tile: int = 2048, progress: Progress | None = None) -> list[DuplicateGroup]:
    """Groups of rows whose pairwise cosine similarity (a dot product: rows are unit vectors)
    chains at or above ``threshold``; largest first, then by first row. Rows alone are left out.
    ``progress(done, total)`` follows the tiles (the time goes there); the last call has done == total."""
    n = vectors.shape[0]
    if n < 2:
        if progress is not None:
            progress(0, 0)
        return []
    if tile < 1:
        raise ValueError("tile: at least 1")
    rows = np.ascontiguousarray(vectors)
    components = _Components(n)
    originals, copies = _identical_rows(rows)
    if copies.size:  # a copy's similarity to its original is the original's with itself
        block = np.asarray(rows[originals], dtype=np.float32)
        self_sims = np.einsum("ij,ij->i", block, block).astype(np.float32)
        joined = self_sims >= threshold
        components.add(originals[joined], copies[joined], self_sims[joined])
    rest = np.setdiff1d(np.arange(n, dtype=np.int64), copies) if copies.size else None
    _tile_pairs(rows, rest, threshold, tile, components, progress)
    components.flush()
    label = components.label
    sizes = np.bincount(label)
    grouped = np.flatnonzero(sizes[label] >= 2)
    order = grouped[np.argsort(label[grouped], kind="stable")]
    bounds = np.flatnonzero(np.diff(label[order])) + 1
    groups = [DuplicateGroup(tuple(int(x) for x in members), float(components.weak[label[members[0]]]))
              for members in np.split(order, bounds) if members.size]
    groups.sort(key=lambda g: (-len(g.members), g.members[0]))
    return groups
