"""Trusted documents: GraphQL operations registered ahead, known by their SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

__all__ = ["TrustedDocument"]


class TrustedDocument(Base):
    """A registered document (as Apollo's persisted queries and the GraphQL trusted
    documents convention use): clients send its hash instead of its text, and callers
    held to registered documents may run nothing else."""

    __tablename__ = "trusted_documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime]
