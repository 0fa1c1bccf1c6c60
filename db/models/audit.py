"""The record of who read personal data (个人信息访问记录), which PIPL obliges a handler
to be able to show."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, intpk

__all__ = ["PersonalDataRead"]


class PersonalDataRead(Base):
    """One answer's unmasked personal fields of one kind of object in one county: who
    asked (key name and role), when, which objects and which fields. Rows are only ever
    added (the database refuses updates); the retention setting deletes old ones."""

    __tablename__ = "personal_data_reads"
    __table_args__ = (
        Index("ix_personal_data_reads_read_at", "read_at"),
        Index("ix_personal_data_reads_county_read_at", "county_code", "read_at"),
        Index("ix_personal_data_reads_key_read_at", "key_name", "read_at"),
    )

    id: Mapped[intpk]
    read_at: Mapped[datetime]
    request_id: Mapped[str] = mapped_column(String(32))
    key_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str | None] = mapped_column(String(200))
    county_code: Mapped[str] = mapped_column(String(6))
    object_type: Mapped[str] = mapped_column(String(40))
    object_ids: Mapped[str] = mapped_column(Text)
    """The objects' ids, a JSON list."""
    fields: Mapped[str] = mapped_column(Text)
    """The personal fields the answer carried, a JSON list."""
