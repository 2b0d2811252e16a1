"""Near-duplicate test data: items whose embedding rows are written directly (unit vectors built
so that pairs are near-duplicates), so a job over hundreds of items needs no model run."""

from __future__ import annotations

import numpy as np

from labelworks.db.base import utcnow
from labelworks.db.engine import Database
from labelworks.db.models import ItemEmbedding

from factories import Factory, UserHandle

DIM = 384


def pairs_and_singles(pairs: int, singles: int, seed: int = 0) -> np.ndarray:
    """Rows 2k and 2k+1 (k < pairs) are near-duplicates (cosine ~0.99); the rest stand alone."""
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((pairs + singles, DIM)).astype(np.float32)
    rows = []
    for k in range(pairs):
        rows += [base[k], base[k] + 0.1 * rng.standard_normal(DIM).astype(np.float32)]
    rows += list(base[pairs:])
    v = np.stack(rows)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def project_with_vectors(factory: Factory, db: Database, by: UserHandle, vectors: np.ndarray) -> tuple[int, list[int]]:
    p = factory.project(by, "text-classification", labels=["a", "b"])
    ids = factory.items(by, p.id, rows=[{"source": f"text number {i}"} for i in range(len(vectors))])
    with db.write() as s:
        for item_id, vec in zip(ids, vectors, strict=True):
            s.add(ItemEmbedding(item_id=item_id, project_id=p.id, model="test-vectors", dim=DIM,
                                text_hash=f"h{item_id}", vector=vec.astype("<f2").tobytes(), updated_at=utcnow()))
    return p.id, ids
