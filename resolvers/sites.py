"""Sites (阵地), platforms and divisions: root lists and look-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import models as m
from resolvers.common import contains, in_division

__all__ = [
    "DivisionCriteria",
    "SiteCriteria",
    "center_of_division",
    "division_statement",
    "site_statement",
]


@dataclass(frozen=True, slots=True)
class SiteCriteria:
    kinds: tuple[m.SiteKind, ...] = ()
    division_code: str | None = None
    is_demonstration: bool | None = None
    statuses: tuple[m.SiteStatus, ...] = ()
    name_contains: str | None = None
    opened_after: date | None = None
    opened_before: date | None = None
    platform_name: str | None = None
    include_retired: bool = False

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.kinds:
            found.append(m.Site.kind.in_(self.kinds))
        if self.division_code:
            found.append(in_division(m.Site.division_code, self.division_code))
        if self.is_demonstration is not None:
            found.append(m.Site.is_demonstration.is_(self.is_demonstration))
        if self.statuses:
            found.append(m.Site.status.in_(self.statuses))
        if self.name_contains:
            found.append(contains(m.Site.name, self.name_contains))
        if self.opened_after:
            found.append(m.Site.opened_on >= self.opened_after)
        if self.opened_before:
            found.append(m.Site.opened_on <= self.opened_before)
        if self.platform_name:
            hosting = (
                select(m.site_platforms.c.site_id)
                .join(m.Platform, m.Platform.id == m.site_platforms.c.platform_id)
                .where(contains(m.Platform.name, self.platform_name))
            )
            found.append(m.Site.id.in_(hosting))
        if not self.include_retired:
            found.append(m.Site.retired_at.is_(None))
        return found


def site_statement(criteria: SiteCriteria) -> Select[Any]:
    return select(m.Site).where(*criteria.conditions())


def center_statement(division_code: ColumnElement[str] | str) -> Select[Any]:
    """The county's center (新时代文明实践中心); the oldest if a division has more than one."""
    return (
        select(m.Site)
        .where(
            m.Site.division_code == division_code,
            m.Site.kind == m.SiteKind.CENTER,
            m.Site.retired_at.is_(None),
        )
        .order_by(m.Site.id)
        .limit(1)
    )


async def center_of_division(
    sessionmaker: async_sessionmaker[AsyncSession], division_code: str
) -> m.Site | None:
    async with sessionmaker() as session:
        return (await session.scalars(center_statement(division_code))).first()


@dataclass(frozen=True, slots=True)
class DivisionCriteria:
    levels: tuple[m.DivisionLevel, ...] = ()
    within: str | None = None
    parent_code: str | None = None
    name_contains: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.levels:
            found.append(m.Division.level.in_(self.levels))
        if self.within:
            found.append(in_division(m.Division.code, self.within))
            found.append(m.Division.code != self.within)
        if self.parent_code:
            found.append(m.Division.parent_code == self.parent_code)
        if self.name_contains:
            found.append(contains(m.Division.name, self.name_contains))
        return found


def division_statement(criteria: DivisionCriteria) -> Select[Any]:
    return select(m.Division).where(*criteria.conditions())
