"""core/near_duplicates.py: the tiled, exact near-duplicate groups equal the all-pairs answer
(tile edges, byte-identical copies, chains, batches of pairs merged mid-way)."""

from __future__ import annotations

import numpy as np
import pytest

from labelworks.core import near_duplicates
from labelworks.core.near_duplicates import DuplicateGroup, near_duplicate_groups


def _all_pairs(vectors: np.ndarray, threshold: float) -> list[tuple[tuple[int, ...], float]]:
    """The reference: the full similarity matrix, union-find over every pair above the threshold."""
    v = vectors.astype(np.float32)
    sims = v @ v.T
    n = v.shape[0]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if sims[i, j] >= threshold]
    for i, j in pairs:
        parent[max(find(i), find(j))] = min(find(i), find(j))
    groups: dict[int, list[int]] = {}
    weakest: dict[int, float] = {}
    for i, j in pairs:
        root = find(i)
        weakest[root] = min(weakest.get(root, 2.0), float(sims[i, j]))
        groups.setdefault(root, [])
    for i in range(n):
        if find(i) in groups:
            groups[find(i)].append(i)
    out = [(tuple(g), round(weakest[r], 4)) for r, g in groups.items()]
    return sorted(out, key=lambda x: (-len(x[0]), x[0][0]))


def _clustered(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, 16)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    for k in range(0, n - 6, 7):  # near copies, some chained: k → k+3 → k+5
        v[k + 3] = v[k] + 0.06 * rng.standard_normal(16)
        v[k + 5] = v[k + 3] + 0.06 * rng.standard_normal(16)
    v[n - 1] = v[1]  # byte-identical copies, far apart in row order
    v[n // 2] = v[1]
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    v[n - 1], v[n // 2] = v[1], v[1]
    return v.astype("<f2")


def _rounded(groups: list[DuplicateGroup]) -> list[tuple[tuple[int, ...], float]]:
    return [(g.members, round(g.min_similarity, 4)) for g in groups]


@pytest.mark.parametrize("tile", [1, 3, 7, 16, 64, 2048])
def test_tiles_give_the_all_pairs_answer(tile: int) -> None:
    vectors = _clustered(61, seed=tile)
    expected = _all_pairs(vectors, 0.95)
    assert len(expected) >= 5 and any(len(g) >= 3 for g, _ in expected)  # the data has chains and copies
    assert _rounded(near_duplicate_groups(vectors, 0.95, tile=tile)) == expected


def test_float32_input_and_pair_batches_merged_midway(monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = _clustered(80, seed=3).astype(np.float32)
    expected = _all_pairs(vectors, 0.85)
    monkeypatch.setattr(near_duplicates, "_EDGE_BUDGET", 2)  # merge after every second pair
    assert _rounded(near_duplicate_groups(vectors, 0.85, tile=8)) == expected


def test_identical_rows_join_once_and_alone_rows_are_left_out() -> None:
    v = np.eye(4, dtype=np.float16)
    rows = np.stack([v[0], v[1], v[0], v[2], v[0], v[1]])
    groups = near_duplicate_groups(rows, 0.99)
    assert [(g.members, g.min_similarity) for g in groups] == [((0, 2, 4), 1.0), ((1, 5), 1.0)]
    assert near_duplicate_groups(rows, 1.01) == []  # not even a copy reaches a threshold above 1
    assert near_duplicate_groups(rows[:1], 0.5) == [] and near_duplicate_groups(rows[:0], 0.5) == []


def test_weakest_link_of_a_chain() -> None:
    # a·b = 0.96, b·c = 0.96, a·c = 0.8432: one group through b, its weakest edge 0.96
    a = np.array([1.0, 0.0, 0.0])
    b = np.array([0.96, np.sqrt(1 - 0.96**2), 0.0])
    angle = 2 * np.arccos(0.96)
    c = np.array([np.cos(angle), np.sin(angle), 0.0])
    groups = near_duplicate_groups(np.stack([a, b, c, [0.0, 0.0, 1.0]]).astype(np.float32), 0.95, tile=2)
    assert len(groups) == 1 and groups[0].members == (0, 1, 2)
    assert groups[0].min_similarity == pytest.approx(0.96, abs=1e-6)
