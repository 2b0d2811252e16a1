"""The progress callback of near_duplicate_groups: one call per tile of the upper triangle, ending
with done == total, and the same groups as without it."""

from __future__ import annotations

import numpy as np

from labelworks.core.near_duplicates import near_duplicate_groups


def _vectors(n: int) -> np.ndarray:
    rng = np.random.default_rng(3)
    v = rng.standard_normal((n, 16)).astype(np.float32)
    v[1] = v[0] + 0.01  # a near pair
    v[25] = v[7]  # an identical copy: collapsed before the tiles
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float16)


def test_progress_counts_the_tiles() -> None:
    v = _vectors(30)
    calls: list[tuple[int, int]] = []
    groups = near_duplicate_groups(v, 0.95, tile=8, progress=lambda done, total: calls.append((done, total)))
    # 29 rows after the copy is collapsed: 4 bands of 8, 4·5/2 = 10 tiles
    assert calls == [(d, 10) for d in range(1, 11)]
    assert groups == near_duplicate_groups(v, 0.95, tile=8)
    assert [g.members for g in groups] == [(0, 1), (7, 25)]


def test_progress_on_nothing_to_compare() -> None:
    calls: list[tuple[int, int]] = []
    assert near_duplicate_groups(_vectors(30)[:1], 0.9, progress=lambda d, t: calls.append((d, t))) == []
    assert calls == [(0, 0)]
