"""Teams (志愿服务队) and volunteers (志愿者): root lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, select

from db import models as m
from resolvers.common import contains, in_any_division, in_division

__all__ = [
    "STAR_THRESHOLDS",
    "TeamCriteria",
    "VolunteerCriteria",
    "star_level",
    "team_statement",
    "volunteer_statement",
]

# Service-hour thresholds of the national star rating (一星 … 五星).
STAR_THRESHOLDS = (100, 300, 600, 1000, 1500)


def star_level(service_minutes: int) -> int:
    """0 to 5 stars by accumulated hours."""
    hours = service_minutes / 60
    return sum(1 for threshold in STAR_THRESHOLDS if hours >= threshold)


@dataclass(frozen=True, slots=True)
class TeamCriteria:
    division_code: str | None = None
    kinds: tuple[m.TeamKind, ...] = ()
    platform_id: int | None = None
    parent_id: int | None = None
    home_site_id: int | None = None
    name_contains: str | None = None
    include_retired: bool = False

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.division_code:
            found.append(in_division(m.Team.county_code, self.division_code))
        if self.kinds:
            found.append(m.Team.kind.in_(self.kinds))
        if self.platform_id is not None:
            found.append(m.Team.platform_id == self.platform_id)
        if self.parent_id is not None:
            found.append(m.Team.parent_id == self.parent_id)
        if self.home_site_id is not None:
            found.append(m.Team.home_site_id == self.home_site_id)
        if self.name_contains:
            found.append(contains(m.Team.name, self.name_contains))
        if not self.include_retired:
            found.append(m.Team.retired_at.is_(None))
        return found


def team_statement(criteria: TeamCriteria) -> Select[Any]:
    return select(m.Team).where(*criteria.conditions())


@dataclass(frozen=True, slots=True)
class VolunteerCriteria:
    division_code: str | None = None
    team_id: int | None = None
    genders: tuple[m.Gender, ...] = ()
    registered_after: date | None = None
    registered_before: date | None = None
    min_service_hours: float | None = None
    min_star_level: int | None = None
    include_retired: bool = False
    # Divisions the result is held to (a viewer's scope); None: not held.
    within: frozenset[str] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.division_code:
            found.append(in_division(m.Volunteer.county_code, self.division_code))
        if self.within is not None:
            found.append(in_any_division(m.Volunteer.county_code, self.within))
        if self.team_id is not None:
            members = select(m.TeamMembership.volunteer_id).where(
                m.TeamMembership.team_id == self.team_id
            )
            found.append(m.Volunteer.id.in_(members))
        if self.genders:
            found.append(m.Volunteer.gender.in_(self.genders))
        if self.registered_after:
            found.append(m.Volunteer.registered_on >= self.registered_after)
        if self.registered_before:
            found.append(m.Volunteer.registered_on <= self.registered_before)
        minimum_hours = max(
            self.min_service_hours or 0,
            STAR_THRESHOLDS[self.min_star_level - 1] if self.min_star_level else 0,
        )
        if minimum_hours:
            found.append(m.Volunteer.service_minutes >= round(minimum_hours * 60))
        if not self.include_retired:
            found.append(m.Volunteer.retired_at.is_(None))
        return found


def volunteer_statement(criteria: VolunteerCriteria) -> Select[Any]:
    return select(m.Volunteer).where(*criteria.conditions())
