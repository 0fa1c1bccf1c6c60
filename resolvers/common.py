"""Pieces every area's queries share: division scoping, text matching, ordering, pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, false, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import models as m
from db.models import significant_prefix
from resolvers.paging import ROOT, Page, PageRequest, fetch_pages

__all__ = [
    "MAX_KEY",
    "MAX_KEY_DIGITS",
    "Sort",
    "contains",
    "in_any_division",
    "in_division",
    "no_division_named",
    "ordering",
    "root_page",
    "shown",
    "unknown_divisions",
]

# Row keys are 32-bit integers in both databases; the longest key of a global id is a
# village's 12-digit division code.
MAX_KEY = 2**31 - 1
MAX_KEY_DIGITS = 12
_SHOWN = 40


def shown(value: str) -> str:
    """A caller's value quoted for an error message, cut short: a message must not hand
    back the 50 KB someone sent."""
    if len(value) <= _SHOWN:
        return repr(value)
    return repr(value[:_SHOWN]) + f"… ({len(value):,} characters)"


@dataclass(frozen=True, slots=True)
class Sort:
    """One ordering term: a column name of the model and a direction."""

    column: str
    descending: bool = False


def in_division(column: SQLColumnExpression[Any], code: str) -> ColumnElement[bool]:
    """Rows located in the division `code` or anywhere below it."""
    return column.startswith(significant_prefix(code), autoescape=True)


def in_any_division(column: SQLColumnExpression[Any], codes: Iterable[str]) -> ColumnElement[bool]:
    """Rows located in any of the divisions `codes` (none: no rows)."""
    return or_(false(), *(in_division(column, code) for code in sorted(codes)))


def contains(column: SQLColumnExpression[Any], text: str) -> ColumnElement[bool]:
    return column.contains(text, autoescape=True)


def ordering(
    model: Any, sorts: Sequence[Sort], default: Sequence[Sort]
) -> list[ColumnElement[Any]]:
    """ORDER BY terms for `sorts`, always ending with the primary key so that pages are
    stable however many rows share a sort value."""
    chosen = list(sorts) or list(default)
    terms: list[ColumnElement[Any]] = []
    for sort in chosen:
        column = getattr(model, sort.column)
        terms.append(column.desc() if sort.descending else column.asc())
    named = {sort.column for sort in chosen}
    terms += [key.asc() for key in inspect(model).primary_key if key.key not in named]
    return terms


async def root_page(
    sessionmaker: async_sessionmaker[AsyncSession],
    model: type[Any],
    statement: Select[Any],
    order_by: Sequence[SQLColumnExpression[Any]],
    page: PageRequest,
) -> Page[Any]:
    """One page of a root list, with its total, in one statement."""
    async with sessionmaker() as session:
        pages = await fetch_pages(session, model, statement, order_by=order_by, page=page)
    return pages[ROOT]


async def unknown_divisions(
    sessionmaker: async_sessionmaker[AsyncSession], codes: Iterable[str]
) -> list[str]:
    """The codes among `codes` that name no division, in the order given."""
    wanted = list(dict.fromkeys(codes))
    async with sessionmaker() as session:
        known = set(
            await session.scalars(select(m.Division.code).where(m.Division.code.in_(wanted)))
        )
    return [code for code in wanted if code not in known]


def no_division_named(codes: Sequence[str]) -> str:
    """What to say of `codes` that name no division (the first five)."""
    return f"no division has the code {', '.join(shown(code) for code in codes[:5])}"
