"""Sync runs and quarantined records, for staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, false, or_, select

from db import models as m
from resolvers.common import in_division
from resolvers.viewer import Role, Viewer

__all__ = ["QuarantineCriteria", "SyncRunCriteria", "quarantine_statement", "sync_run_statement"]


def _visible(column: SQLColumnExpression[Any], viewer: Viewer) -> ColumnElement[bool] | None:
    """Staff see their own counties' runs and records; admins see all."""
    if viewer.role is Role.ADMIN:
        return None
    return or_(false(), *(in_division(column, code) for code in viewer.scope))


@dataclass(frozen=True, slots=True)
class SyncRunCriteria:
    source: str | None = None
    statuses: tuple[m.SyncStatus, ...] = ()

    def conditions(self, viewer: Viewer) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.source:
            found.append(m.SyncRun.source == self.source)
        if self.statuses:
            found.append(m.SyncRun.status.in_(self.statuses))
        scope = _visible(m.SyncRun.county_code, viewer)
        if scope is not None:
            found.append(scope)
        return found


def sync_run_statement(criteria: SyncRunCriteria, viewer: Viewer) -> Select[Any]:
    return select(m.SyncRun).where(*criteria.conditions(viewer))


@dataclass(frozen=True, slots=True)
class QuarantineCriteria:
    source: str | None = None
    sync_run_id: int | None = None
    unresolved_only: bool = True

    def conditions(self, viewer: Viewer) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.source:
            found.append(m.QuarantinedRecord.source == self.source)
        if self.sync_run_id is not None:
            found.append(m.QuarantinedRecord.sync_run_id == self.sync_run_id)
        if self.unresolved_only:
            found.append(m.QuarantinedRecord.resolved_at.is_(None))
        scope = _visible(m.QuarantinedRecord.county_code, viewer)
        if scope is not None:
            found.append(scope)
        return found


def quarantine_statement(criteria: QuarantineCriteria, viewer: Viewer) -> Select[Any]:
    return select(m.QuarantinedRecord).where(*criteria.conditions(viewer))
