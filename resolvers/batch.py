"""Batch functions behind the DataLoaders: one SQL statement for a whole batch of keys.

Each batch opens its own short session: strawberry resolves sibling fields
concurrently and an AsyncSession must never be shared between running tasks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

__all__ = ["rows_by_key", "rows_grouped_by"]

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


async def rows_by_key(
    sessionmaker: async_sessionmaker[AsyncSession],
    model: type[R],
    column: InstrumentedAttribute[Any],
    keys: Sequence[K],
) -> list[R | None]:
    """The row whose `column` equals each key, or None, in the order of `keys`."""
    async with sessionmaker() as session:
        rows = (await session.scalars(select(model).where(column.in_(set(keys))))).all()
    found = {getattr(row, column.key): row for row in rows}
    return [found.get(key) for key in keys]


async def rows_grouped_by(
    sessionmaker: async_sessionmaker[AsyncSession],
    model: type[R],
    column: InstrumentedAttribute[Any],
    order_by: Sequence[Any],
    keys: Sequence[K],
) -> list[list[R]]:
    """All rows whose `column` equals each key, grouped per key in the order of `keys`."""
    async with sessionmaker() as session:
        statement = select(model).where(column.in_(set(keys))).order_by(*order_by)
        rows = (await session.scalars(statement)).all()
    grouped: dict[Any, list[R]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, column.key)].append(row)
    return [grouped.get(key, []) for key in keys]
