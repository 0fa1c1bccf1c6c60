"""DataLoaders, one per (entity, key), created fresh for every request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from db import models as m
from resolvers.paging import Page, PageRequest, fetch_pages
from resolvers.relations import Relation

__all__ = ["Loaders"]

Sessionmaker = async_sessionmaker[AsyncSession]


class Loaders:
    """The request's loaders, made on first use. Never shared between requests: one
    viewer's cached rows must not serve another's."""

    def __init__(self, sessionmaker: Sessionmaker) -> None:
        self._sessionmaker = sessionmaker
        self._loaders: dict[tuple[str, str], DataLoader[Any, Any]] = {}

    def row(self, column: InstrumentedAttribute[Any]) -> DataLoader[Any, Any]:
        """The row whose (unique) `column` equals the key, or None."""
        model = column.class_
        return self._get(
            ("row", f"{model.__name__}.{column.key}"),
            partial(_rows, self._sessionmaker, model, column),
        )

    def page(self, relation: Relation) -> DataLoader[tuple[Hashable, PageRequest], Page[Any]]:
        """A page of the relation's rows for a (parent key, page request)."""
        return self._get(("page", relation.name), partial(_pages, self._sessionmaker, relation))

    def all(self, relation: Relation) -> DataLoader[Hashable, list[Any]]:
        """Every row of the relation for a parent key (for short lists)."""
        return self._get(("all", relation.name), partial(_all, self._sessionmaker, relation))

    def count(self, relation: Relation) -> DataLoader[Hashable, int]:
        return self._get(("count", relation.name), partial(_counts, self._sessionmaker, relation))

    def points_balance(self) -> DataLoader[int, int]:
        """An account's balance: always the sum of its entries."""
        return self._get(("sum", "points_balance"), partial(_balances, self._sessionmaker))

    def _get(self, key: tuple[str, str], batch: Callable[[Any], Any]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(batch)
        return loader


# Each batch opens its own short session: strawberry resolves sibling fields
# concurrently, and an AsyncSession must never be shared between running tasks.


async def _rows(
    sessionmaker: Sessionmaker,
    model: Any,
    column: InstrumentedAttribute[Any],
    keys: Sequence[Hashable],
) -> list[Any]:
    async with sessionmaker() as session:
        rows = (await session.scalars(select(model).where(column.in_(set(keys))))).all()
    found = {getattr(row, column.key): row for row in rows}
    return [found.get(key) for key in keys]


async def _pages(
    sessionmaker: Sessionmaker, relation: Relation, keys: Sequence[tuple[Hashable, PageRequest]]
) -> list[Page[Any]]:
    parents_by_request: dict[PageRequest, list[Hashable]] = defaultdict(list)
    for parent, request in keys:
        parents_by_request[request].append(parent)
    found: dict[tuple[Hashable, PageRequest], Page[Any]] = {}
    async with sessionmaker() as session:
        for request, parents in parents_by_request.items():
            pages = await fetch_pages(
                session,
                relation.model,
                relation.statement(),
                order_by=relation.order_by,
                page=request,
                partition=relation.partition,
                keys=parents,
            )
            found.update(((parent, request), pages[parent]) for parent in parents)
    return [found[key] for key in keys]


async def _all(
    sessionmaker: Sessionmaker, relation: Relation, keys: Sequence[Hashable]
) -> list[list[Any]]:
    statement = (
        relation.statement()
        .add_columns(relation.partition.label("parent_key"))
        .where(relation.partition.in_(set(keys)))
        .order_by(*relation.order_by)
    )
    grouped: dict[Hashable, list[Any]] = defaultdict(list)
    async with sessionmaker() as session:
        for row, parent in (await session.execute(statement)).all():
            grouped[parent].append(row)
    return [grouped.get(key, []) for key in keys]


async def _counts(
    sessionmaker: Sessionmaker, relation: Relation, keys: Sequence[Hashable]
) -> list[int]:
    inner = (
        relation.statement()
        .add_columns(relation.partition.label("parent_key"))
        .where(relation.partition.in_(set(keys)))
        .subquery()
    )
    statement = select(inner.c.parent_key, func.count()).group_by(inner.c.parent_key)
    async with sessionmaker() as session:
        found: dict[Hashable, int] = {
            key: value for key, value in (await session.execute(statement)).all()
        }
    return [found.get(key, 0) for key in keys]


async def _balances(sessionmaker: Sessionmaker, keys: Sequence[int]) -> list[int]:
    statement = (
        select(m.PointsEntry.account_id, func.coalesce(func.sum(m.PointsEntry.points), 0))
        .where(m.PointsEntry.account_id.in_(set(keys)))
        .group_by(m.PointsEntry.account_id)
    )
    async with sessionmaker() as session:
        found = {key: value for key, value in (await session.execute(statement)).all()}
    return [int(found.get(key, 0)) for key in keys]
