"""Pages of rows for connections: one windowed statement for a whole batch of parents.

`row_number()` and `count(*)` over a partition by parent give each parent's slice and
its total in a single query, so a nested connection costs one statement however many
parents the batch holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, SQLColumnExpression, func, inspect, literal, null, select
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["Page", "PageRequest", "fetch_pages"]

R = TypeVar("R")
ROOT = "__root__"


@dataclass(frozen=True, slots=True)
class PageRequest:
    """`first` rows after skipping `offset` (what a cursor encodes); `counted` when the
    caller asks for the list's total (counting a long list costs more than its page)."""

    first: int
    offset: int = 0
    counted: bool = True


@dataclass(slots=True)
class Page(Generic[R]):
    rows: list[R]
    total: int | None  # None when the request did not ask for it
    offset: int
    has_next: bool
    has_previous: bool = field(default=False)


async def fetch_pages(
    session: AsyncSession,
    model: type[R],
    statement: Select[Any],
    *,
    order_by: Sequence[SQLColumnExpression[Any]],
    page: PageRequest,
    partition: SQLColumnExpression[Any] | None = None,
    keys: Sequence[Hashable] = (),
) -> dict[Hashable, Page[R]]:
    """Pages of `model` rows selected by `statement` (which must select `model`, joined
    as it needs), one page per partition key, or one under ROOT without a partition."""
    partition_key = partition if partition is not None else literal(ROOT)
    if partition is not None:
        statement = statement.where(partition.in_(list(keys)))
    elif not page.counted:
        return {ROOT: await _limited(session, model, statement, order_by, page)}
    # Rank keys only, then read the page's rows: sorting every match with all its columns
    # (a story's body) costs far more than sorting their keys.
    [key] = inspect(model).primary_key
    ranked = statement.with_only_columns(
        key.label("page_row"),
        partition_key.label("page_key"),
        func.row_number().over(partition_by=partition, order_by=list(order_by)).label("page_rank"),
        (func.count().over(partition_by=partition) if page.counted else null()).label("page_total"),
        maintain_column_froms=True,
    ).subquery()
    window = (
        select(model, ranked.c.page_key, ranked.c.page_total)
        .join(ranked, ranked.c.page_row == key)
        .where(ranked.c.page_rank > page.offset, ranked.c.page_rank <= page.offset + page.first + 1)
        .order_by(ranked.c.page_key, ranked.c.page_rank)
    )
    grouped: dict[Hashable, list[R]] = defaultdict(list)
    totals: dict[Hashable, int] = {}
    for row, key, total in (await session.execute(window)).all():
        grouped[key].append(row)
        totals[key] = total
    wanted = list(keys) if partition is not None else [ROOT]
    beyond = [key for key in wanted if key not in totals and page.offset > 0]
    if beyond and page.counted:
        totals.update(await _totals(session, statement, partition, beyond))
    return {
        key: Page(
            rows=grouped[key][: page.first],
            total=totals.get(key, 0) if page.counted else None,
            offset=page.offset,
            has_next=len(grouped[key]) > page.first,
            has_previous=page.offset > 0,
        )
        for key in wanted
    }


async def _limited(
    session: AsyncSession,
    model: type[R],
    statement: Select[Any],
    order_by: Sequence[SQLColumnExpression[Any]],
    page: PageRequest,
) -> Page[R]:
    """A root page without its total: LIMIT and OFFSET on the keys in their order (an
    index on the order serves it, and the numbering stops with the LIMIT), not a rank
    of every row and a count of them all."""
    [key] = inspect(model).primary_key
    keys = (
        statement.with_only_columns(
            key.label("page_row"),
            func.row_number().over(order_by=list(order_by)).label("page_rank"),
            maintain_column_froms=True,
        )
        .order_by(*order_by)
        .limit(page.first + 1)
        .offset(page.offset)
        .subquery()
    )
    window = select(model).join(keys, keys.c.page_row == key).order_by(keys.c.page_rank)
    rows = list((await session.scalars(window)).all())
    return Page(
        rows=rows[: page.first],
        total=None,
        offset=page.offset,
        has_next=len(rows) > page.first,
        has_previous=page.offset > 0,
    )


async def _totals(
    session: AsyncSession,
    statement: Select[Any],
    partition: SQLColumnExpression[Any] | None,
    keys: Sequence[Hashable],
) -> dict[Hashable, int]:
    """Totals for partitions whose page lies past their end (rare: a stale cursor)."""
    if partition is None:
        counted = select(func.count()).select_from(statement.subquery())
        return {ROOT: (await session.execute(counted)).scalar_one()}
    inner = statement.add_columns(partition.label("page_key")).subquery()
    grouped = select(inner.c.page_key, func.count()).group_by(inner.c.page_key)
    found: dict[Hashable, int] = {
        key: value for key, value in (await session.execute(grouped)).all()
    }
    return {key: found.get(key, 0) for key in keys}
