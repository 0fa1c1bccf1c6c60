"""Rebuilding the statistics rollup from the stored rows (after every sync)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, Select, case, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db.base import table_of
from db.metrics import METRICS, Metric, MetricKind
from db.models import PeriodKind, RollupState, RollupValue
from db.sqltime import bucket_start

__all__ = [
    "EPOCH",
    "mark_rollup_owed",
    "refresh_if_owed",
    "refresh_rollup",
    "rollup_owed",
    "rollup_version",
]

EPOCH = date(1900, 1, 1)
_COLUMNS = ["division_code", "period_kind", "period_start", "metric", "numerator", "denominator"]


_STATE = 1


async def mark_rollup_owed(session: AsyncSession, now: datetime) -> None:
    """Record, in the caller's transaction, that the rows it writes change the rollup."""
    await session.merge(RollupState(id=_STATE, owed_since=now))


def rollup_version() -> Any:
    """The instant of the last refresh, as a scalar subquery to read beside rollup rows
    (the same snapshot): None where the rollup was never refreshed."""
    state = table_of(RollupState).c
    return select(state.refreshed_at).where(state.id == _STATE).scalar_subquery()


async def rollup_owed(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        owed = await connection.scalar(
            select(table_of(RollupState).c.owed_since).where(table_of(RollupState).c.id == _STATE)
        )
    return owed is not None


async def refresh_if_owed(engine: AsyncEngine) -> bool:
    """Refresh the rollup if a write is not yet in it (a sync stopped before its
    refresh); True if it did."""
    if not await rollup_owed(engine):
        return False
    await refresh_rollup(engine)
    return True


async def refresh_rollup(engine: AsyncEngine) -> int:
    """Replace the rollup in one transaction (readers see the old or the new one, never
    half of each), and clear what was owed up to its start. Returns how many rollup rows
    were written."""
    table = table_of(RollupValue)
    state = table_of(RollupState)
    written = 0
    started = datetime.now(UTC)
    async with engine.begin() as connection:
        # A write committed after this began is not in this refresh: its mark stays.
        await connection.execute(
            update(state)
            .where(state.c.id == _STATE, state.c.owed_since <= started)
            .values(owed_since=None)
        )
        # Whatever was owed, the rows are new: readers that cache what they computed
        # from the rollup key it by this instant (resolvers.disclosure).
        stamped = await connection.execute(
            update(state).where(state.c.id == _STATE).values(refreshed_at=started)
        )
        if stamped.rowcount == 0:
            await connection.execute(
                insert(state).values(id=_STATE, owed_since=None, refreshed_at=started)
            )
        await connection.execute(delete(table))
        for definition in METRICS.values():
            for statement in _statements(definition):
                result = await connection.execute(insert(table).from_select(_COLUMNS, statement))
                written += max(result.rowcount, 0)
    return written


def _statements(definition: Metric) -> list[Select[Any]]:
    if definition.kind is MetricKind.MEDIAN:
        return []  # a median of parts is not the median of the whole: computed directly
    events = definition.events().subquery()
    code = literal(definition.code)
    if definition.kind is MetricKind.DISTINCT:
        statements: list[Select[Any]] = []
        for unit in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR):
            bucket = bucket_start(events.c.moment, unit.value, instant=definition.instant)
            distinct = func.count(events.c.subject.distinct())
            statements.append(
                select(
                    events.c.division_code, literal(unit.value), bucket, code, distinct, literal(0)
                )
                .where(events.c.moment.is_not(None))
                .group_by(events.c.division_code, bucket)
            )
        return statements
    month = bucket_start(events.c.moment, "month", instant=definition.instant)
    kind = case((events.c.moment.is_(None), PeriodKind.BASE.value), else_=PeriodKind.MONTH.value)
    month_or_epoch = func.coalesce(month, literal(EPOCH, Date()))
    numerator = func.coalesce(func.sum(events.c.numerator), 0)
    denominator = func.coalesce(func.sum(events.c.denominator), 0)
    return [
        select(events.c.division_code, kind, month_or_epoch, code, numerator, denominator).group_by(
            events.c.division_code, kind, month_or_epoch
        )
    ]
