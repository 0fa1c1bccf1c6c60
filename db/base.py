"""Declarative base, naming conventions and the provenance every merged row carries."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, ClassVar

from sqlalchemy import CheckConstraint, Enum, Integer, MetaData, String, Table, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import UTCDateTime

__all__ = [
    "Base",
    "CountyCode",
    "DivisionCode",
    "ProvenanceMixin",
    "enum_column",
    "intpk",
    "provenance_constraints",
    "table_of",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
DivisionCode = Annotated[str, mapped_column(String(12))]
CountyCode = Annotated[str, mapped_column(String(6), index=True)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def enum_column(enum_type: type[enum.Enum], constraint_name: str) -> Enum:
    """Store an enum as its string value with a CHECK constraint (portable, readable SQL)."""
    return Enum(
        enum_type,
        name=constraint_name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_type),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class ProvenanceMixin:
    """Where a merged row came from: one source record, first and last seen, content hash.

    Rows that vanish from a full snapshot of their source are marked retired, never
    deleted, so history and links to them survive.
    """

    source_system: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(128))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None]


def provenance_constraints() -> tuple[Any, ...]:
    """Constraints every provenance-carrying table shares: one row per source record."""
    return (
        UniqueConstraint("source_system", "source_id"),
        CheckConstraint("last_seen_at >= first_seen_at", name="seen_order"),
    )


def table_of(model: type[Base]) -> Table:
    """A model's Table (SQLAlchemy types `__table__` as the wider FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
