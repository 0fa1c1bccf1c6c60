"""Which secret key the personal data is sealed with (by fingerprint, never the key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

__all__ = ["SealingKey"]


class SealingKey(Base):
    """One row: the fingerprint of the key ID numbers and phones are sealed with and
    person keys derived from, and while a rotation is under way, the new key's."""

    __tablename__ = "sealing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    rotating_to: Mapped[str | None] = mapped_column(String(64))
    changed_at: Mapped[datetime]
