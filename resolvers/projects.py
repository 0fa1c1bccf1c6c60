"""Projects (志愿服务项目) and activities (活动): root lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, select

from db import models as m
from resolvers.common import contains, in_division

__all__ = ["ActivityCriteria", "ProjectCriteria", "activity_statement", "project_statement"]


@dataclass(frozen=True, slots=True)
class ProjectCriteria:
    division_code: str | None = None
    is_brand: bool | None = None
    platform_id: int | None = None
    team_id: int | None = None
    name_contains: str | None = None
    started_after: date | None = None
    has_award: bool | None = None
    include_retired: bool = False

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.division_code:
            found.append(in_division(m.Project.county_code, self.division_code))
        if self.is_brand is not None:
            found.append(m.Project.is_brand.is_(self.is_brand))
        if self.platform_id is not None:
            found.append(m.Project.platform_id == self.platform_id)
        if self.team_id is not None:
            run_by = select(m.project_teams.c.project_id).where(
                m.project_teams.c.team_id == self.team_id
            )
            found.append(m.Project.id.in_(run_by))
        if self.name_contains:
            found.append(contains(m.Project.name, self.name_contains))
        if self.started_after:
            found.append(m.Project.started_on >= self.started_after)
        if self.has_award is not None:
            awarded = m.Project.id.in_(select(m.Award.project_id))
            found.append(awarded if self.has_award else ~awarded)
        if not self.include_retired:
            found.append(m.Project.retired_at.is_(None))
        return found


def project_statement(criteria: ProjectCriteria) -> Select[Any]:
    return select(m.Project).where(*criteria.conditions())


@dataclass(frozen=True, slots=True)
class ActivityCriteria:
    division_code: str | None = None
    project_id: int | None = None
    site_id: int | None = None
    team_id: int | None = None
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    title_contains: str | None = None
    include_retired: bool = False

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.division_code:
            found.append(in_division(m.Activity.county_code, self.division_code))
        if self.project_id is not None:
            found.append(m.Activity.project_id == self.project_id)
        if self.site_id is not None:
            found.append(m.Activity.site_id == self.site_id)
        if self.team_id is not None:
            held_by = select(m.activity_teams.c.activity_id).where(
                m.activity_teams.c.team_id == self.team_id
            )
            found.append(m.Activity.id.in_(held_by))
        if self.starts_after:
            found.append(m.Activity.starts_at >= self.starts_after)
        if self.starts_before:
            found.append(m.Activity.starts_at < self.starts_before)
        if self.title_contains:
            found.append(contains(m.Activity.title, self.title_contains))
        if not self.include_retired:
            found.append(m.Activity.retired_at.is_(None))
        return found


def activity_statement(criteria: ActivityCriteria) -> Select[Any]:
    return select(m.Activity).where(*criteria.conditions())
