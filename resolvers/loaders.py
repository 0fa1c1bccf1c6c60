"""One DataLoader per (entity, key), created fresh for every request."""

from __future__ import annotations

from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from db.models import Division
from resolvers.batch import rows_by_key, rows_grouped_by

__all__ = ["Loaders"]


class Loaders:
    """The request's loaders. Never shared between requests: one viewer's cached rows
    must not serve another's."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.division_by_code = DataLoader[str, Division | None](
            partial(rows_by_key, sessionmaker, Division, Division.code)
        )
        self.divisions_by_parent = DataLoader[str, list[Division]](
            partial(rows_grouped_by, sessionmaker, Division, Division.parent_code, [Division.code])
        )
