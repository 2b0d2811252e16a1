"""Text embeddings per item: the index behind similar-item search, de-duplication and kNN label
suggestions (owner: services/embeddings.py).

One row per item; the vector is L2-normalised and stored as little-endian float16 bytes (384
dimensions: 768 bytes a row, so a 100,000-item project's index is 77 MB and loads as one
``np.frombuffer``). A table rather than an .npy file beside the database: rows go away with their
item (ON DELETE CASCADE), writes are transactional, and PostgreSQL deployments need no shared disk.
``text_hash`` (sha-256 of the embedded text) lets a re-run skip items whose text did not change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class ItemEmbedding(Base):
    __tablename__ = "item_embeddings"
    __table_args__ = (Index("ix_item_embeddings_project", "project_id", "item_id"),)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(80))
    dim: Mapped[int] = mapped_column(Integer)
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
