"""Comparisons and rankings of divisions, from the rollup (or directly where it cannot).

A division's value is the sum of its leaves' parts, a ratio recomputed from the summed
numerator and denominator. A division with no data at all for a metric is *missing*;
one that reports the metric but had nothing in the period is zero.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import table_of
from db.metrics import Metric, MetricKind
from db.models import DivisionLevel, PeriodKind, RollupValue, significant_prefix
from db.rollup import rollup_version
from resolvers.disclosure import (
    Publication,
    StandardPeriodsOnly,
    WholeMonthsOnly,
    nothing_reported,
    publication,
    withheld,
)
from resolvers.periods import Period
from resolvers.viewer import Viewer

__all__ = [
    "MetricValue",
    "Parts",
    "division_level",
    "group_key",
    "lies_below",
    "metric_values",
    "parts_by_group",
    "rank",
]


@dataclass(frozen=True, slots=True)
class Parts:
    numerator: float
    denominator: float


class GroupedParts(dict[str, Parts]):
    """Parts per group, and the rollup refresh they were read from (None when they come
    straight from the rows, or when no row was read)."""

    version: datetime | None = None


@dataclass(slots=True)
class MetricValue:
    """One metric for one division and period, as a viewer may see it."""

    metric: Metric
    key: str
    value: float | None
    numerator: float | None
    denominator: float | None
    missing: bool
    suppressed: bool = False
    previous: float | None = None
    components: list[MetricValue] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


_LEVEL_LENGTH = {
    DivisionLevel.PROVINCE: 2,
    DivisionLevel.PREFECTURE: 4,
    DivisionLevel.COUNTY: 6,
    DivisionLevel.TOWNSHIP: 9,
    DivisionLevel.VILLAGE: 12,
}


def division_level(code: str) -> DivisionLevel:
    """A division's level from the shape of its code."""
    if len(code) == 12:
        return DivisionLevel.TOWNSHIP if code.endswith("000") else DivisionLevel.VILLAGE
    if code.endswith("0000"):
        return DivisionLevel.PROVINCE
    if code.endswith("00"):
        return DivisionLevel.PREFECTURE
    return DivisionLevel.COUNTY


def lies_below(level: DivisionLevel, within: str) -> bool:
    """Do divisions of `level` lie below the division `within` (counties below 520600)?"""
    return _LEVEL_LENGTH[level] > _LEVEL_LENGTH[division_level(within)]


def group_key(column: Any, level: DivisionLevel) -> ColumnElement[str]:
    """The code of the `level` division a leaf code lies in (e.g. 522601001201 → 522601)."""
    length = _LEVEL_LENGTH[level]
    if level is DivisionLevel.VILLAGE:
        return column  # type: ignore[no-any-return]
    padding = "0" * (6 - length) if length <= 6 else "000"
    return func.substr(column, 1, length) + literal(padding)


def _leaf_fits(column: Any, level: DivisionLevel) -> ColumnElement[bool]:
    """Leaves known finely enough for `level`: county data cannot be split by township."""
    if level is DivisionLevel.TOWNSHIP:
        return func.length(column) == 12
    if level is DivisionLevel.VILLAGE:
        return and_(func.length(column) == 12, ~column.endswith("000"))
    return literal(True)


def _scope(
    column: Any, level: DivisionLevel, within: str | None, keys: Iterable[str] | None
) -> list[Any]:
    conditions: list[Any] = [_leaf_fits(column, level)]
    if within:
        conditions.append(column.startswith(significant_prefix(within)))
    if keys is not None:
        wanted = list(keys)
        conditions.append(or_(*(column.startswith(significant_prefix(key)) for key in wanted)))
    return conditions


async def parts_by_group(
    session: AsyncSession,
    metric: Metric,
    period: Period,
    level: DivisionLevel,
    *,
    within: str | None = None,
    keys: Iterable[str] | None = None,
) -> GroupedParts:
    """Summed parts per `level` division (only divisions that report the metric)."""
    if _from_rollup(metric, period):
        return await _rollup_parts(session, metric, period, level, within, keys)
    return await _direct_parts(session, metric, period, level, within, keys)


def _from_rollup(metric: Metric, period: Period) -> bool:
    if metric.kind is MetricKind.MEDIAN:
        return False
    if metric.kind is MetricKind.DISTINCT:
        return period.kind is not None
    return period.is_whole_months


async def _rollup_parts(
    session: AsyncSession,
    metric: Metric,
    period: Period,
    level: DivisionLevel,
    within: str | None,
    keys: Iterable[str] | None,
) -> GroupedParts:
    rollup = table_of(RollupValue).c
    key = group_key(rollup.division_code, level)
    base = rollup.period_kind == PeriodKind.BASE.value
    if metric.kind is MetricKind.DISTINCT:
        assert period.kind is not None
        kinds = [period.kind.value]
        inside: Any = rollup.period_start == period.start
    elif metric.kind is MetricKind.STOCK:
        kinds = [PeriodKind.BASE.value, PeriodKind.MONTH.value]
        inside = or_(base, rollup.period_start < period.end)
    else:
        kinds = [PeriodKind.BASE.value, PeriodKind.MONTH.value]
        inside = or_(
            base, and_(rollup.period_start >= period.start, rollup.period_start < period.end)
        )
    statement = (
        select(
            key.label("key"),
            func.sum(case((inside, rollup.numerator), else_=0)),
            func.sum(case((inside, rollup.denominator), else_=0)),
        )
        .add_columns(rollup_version())
        .where(rollup.metric == metric.code, rollup.period_kind.in_(kinds))
        .where(*_scope(rollup.division_code, level, within, keys))
        .group_by(key)
    )
    found = GroupedParts()
    for row in (await session.execute(statement)).all():
        found[row[0]] = Parts(float(row[1] or 0), float(row[2] or 0))
        found.version = row[3]
    return found


async def _direct_parts(
    session: AsyncSession,
    metric: Metric,
    period: Period,
    level: DivisionLevel,
    within: str | None,
    keys: Iterable[str] | None,
) -> GroupedParts:
    """The same events the rollup sums, aggregated straight from the stored rows."""
    events = metric.events().subquery()
    key = group_key(events.c.division_code, level)
    start, end = period.instants() if metric.instant else (period.start, period.end)
    moment = events.c.moment
    if metric.kind is MetricKind.STOCK:
        inside: Any = or_(moment.is_(None), moment < end)
    else:
        inside = or_(moment.is_(None), and_(moment >= start, moment < end))
    scope = _scope(events.c.division_code, level, within, keys)
    if metric.kind is MetricKind.MEDIAN:
        found: dict[str, list[float]] = defaultdict(list)
        reported = select(key, events.c.numerator, inside).where(*scope)
        for group, value, counted in (await session.execute(reported)).all():
            values = found[group]
            if counted and value is not None:
                values.append(float(value))
        return GroupedParts(
            (group, Parts(statistics.median(values) if values else 0.0, len(values)))
            for group, values in found.items()
        )
    if metric.kind is MetricKind.DISTINCT:
        numerator: Any = func.count(case((inside, events.c.subject)).distinct())
    else:
        numerator = func.sum(case((inside, events.c.numerator), else_=0))
    statement = (
        select(key, numerator, func.sum(case((inside, events.c.denominator), else_=0)))
        .where(*scope)
        .group_by(key)
    )
    rows = (await session.execute(statement)).all()
    return GroupedParts((row[0], Parts(float(row[1] or 0), float(row[2] or 0))) for row in rows)


async def metric_values(
    session: AsyncSession,
    metric: Metric,
    period: Period,
    level: DivisionLevel,
    keys: Sequence[str],
    viewer: Viewer,
    small_group: int,
    *,
    within: str | None = None,
    with_previous: bool = True,
) -> dict[str, MetricValue]:
    """Values of `metric` for each key (a `level` division), with the previous period's
    value; figures about people and households held back from viewers outside the
    county wherever they could give someone's part away (see resolvers.disclosure)."""
    guarded = [key for key in keys if metric.subjects and not viewer.covers_county(key)]
    if guarded and not period.is_whole_months:
        raise WholeMonthsOnly(metric)
    if guarded and metric.kind is MetricKind.DISTINCT and period.kind is None:
        raise StandardPeriodsOnly(metric)
    scope_keys = None if within else keys
    shown: Publication | None = None
    for _ in range(_READS):
        current = await parts_by_group(
            session, metric, period, level, within=within, keys=scope_keys
        )
        previous = (
            await parts_by_group(
                session, metric, period.previous(), level, within=within, keys=scope_keys
            )
            if with_previous
            else GroupedParts()
        )
        if not guarded:
            break
        versions = {current.version, previous.version} - {None}
        if len(versions) > 1:
            continue  # the rollup was refreshed between the two reads
        if not current and not previous:
            shown = nothing_reported(metric)
            break
        shown = await publication(
            session, metric, small_group, next(iter(versions), None), within=within, keys=scope_keys
        )
        if shown is not None:
            break
    if guarded and shown is None:
        shown = withheld(metric)
    found: dict[str, MetricValue] = {}
    for key in keys:
        parts = current.get(key)
        before = previous.get(key)
        if shown is not None and key in guarded:
            found[key] = _guarded_value(metric, key, period, level, parts, before, shown)
            continue
        found[key] = _shown_value(metric, key, parts, before)
    return found


# Reads of values and of what outsiders may see of them, should a refresh of the rollup
# come between them; past that, outsiders are shown nothing of the figure.
_READS = 3


def _shown_value(
    metric: Metric, key: str, parts: Parts | None, before: Parts | None
) -> MetricValue:
    if parts is None:
        return MetricValue(metric, key, None, None, None, missing=True)
    value = _value(metric, parts)
    return MetricValue(
        metric,
        key,
        value,
        parts.numerator,
        parts.denominator if metric.ratio else None,
        missing=value is None,
        previous=_value(metric, before) if before else None,
    )


def _guarded_value(
    metric: Metric,
    key: str,
    period: Period,
    level: DivisionLevel,
    parts: Parts | None,
    before: Parts | None,
    shown: Publication,
) -> MetricValue:
    """An outsider's view: below the county nothing (missing only where the county
    reports nothing at all, so no village stands out); above it what the blocks allow."""
    hidden = MetricValue(metric, key, None, None, None, missing=False, suppressed=True)
    if _LEVEL_LENGTH[level] > _LEVEL_LENGTH[DivisionLevel.COUNTY]:
        if not shown.reports(key[:6]) and parts is None:
            return MetricValue(metric, key, None, None, None, missing=True)
        return hidden
    if not shown.shows(key, period):
        return (
            hidden
            if parts is not None
            else MetricValue(metric, key, None, None, None, missing=True)
        )
    return _shown_value(metric, key, parts, before if shown.shows(key, period.previous()) else None)


def _value(metric: Metric, parts: Parts) -> float | None:
    if metric.kind is MetricKind.MEDIAN:
        return None if parts.denominator == 0 else parts.numerator * metric.scale
    return metric.value(parts.numerator, parts.denominator)


def rank(
    values: Sequence[MetricValue], *, higher_is_better: bool
) -> list[tuple[int | None, MetricValue]]:
    """Competition ranks (1, 1, 3 …); missing and suppressed values come last, unranked."""
    present = [value for value in values if value.value is not None]
    ranked = sorted(present, key=lambda item: (item.value or 0.0) * (-1 if higher_is_better else 1))
    result: list[tuple[int | None, MetricValue]] = []
    for position, item in enumerate(ranked, start=1):
        if result and result[-1][1].value == item.value:
            result.append((result[-1][0], item))
        else:
            result.append((position, item))
    result += [(None, value) for value in values if value.value is None]
    return result
