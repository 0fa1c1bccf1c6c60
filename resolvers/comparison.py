"""compare() and ranking(): what provincial and prefecture offices run every month."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from db import models as m
from db.metrics import Metric, MetricKind
from db.models import DivisionLevel, significant_prefix
from resolvers.periods import Period
from resolvers.stats import MetricValue, division_level, metric_values, rank
from resolvers.viewer import Viewer

__all__ = [
    "MAX_COMPARED",
    "MAX_METRICS",
    "MAX_WEIGHT",
    "SUBJECT_METRICS",
    "Comparison",
    "RankedEntry",
    "Weighted",
    "compare",
    "rank_divisions",
    "rank_institutes",
    "rank_teams",
]

Sessionmaker = async_sessionmaker[AsyncSession]

# One comparison or index holds at most this many divisions and metrics.
MAX_COMPARED = 50
MAX_METRICS = 30
# Weights are relative; a million to one is past any published index.
MAX_WEIGHT = 1_000_000


@dataclass(frozen=True, slots=True)
class Weighted:
    metric: Metric
    weight: float


@dataclass(slots=True)
class Comparison:
    division_code: str
    values: list[MetricValue]


@dataclass(slots=True)
class RankedEntry:
    key: str
    rank: int | None
    previous_rank: int | None
    value: MetricValue


async def compare(
    sessionmaker: Sessionmaker,
    viewer: Viewer,
    small_group: int,
    codes: Sequence[str],
    metrics: Sequence[Metric],
    period: Period,
) -> list[Comparison]:
    by_level: dict[DivisionLevel, list[str]] = defaultdict(list)
    for code in codes:
        by_level[division_level(code)].append(code)
    values: dict[str, list[MetricValue]] = defaultdict(list)
    async with sessionmaker() as session:
        for metric in metrics:
            for level, keys in by_level.items():
                found = await metric_values(
                    session, metric, period, level, keys, viewer, small_group
                )
                for key in keys:
                    values[key].append(found[key])
    return [Comparison(code, values[code]) for code in codes]


async def rank_divisions(
    sessionmaker: Sessionmaker,
    viewer: Viewer,
    small_group: int,
    within: str,
    level: DivisionLevel,
    weights: Sequence[Weighted],
    period: Period,
) -> list[RankedEntry]:
    """Divisions of `level` below `within`, by one metric (one weight) or an index."""
    async with sessionmaker() as session:
        keys = await _divisions(session, within, level)
        per_metric = [
            await metric_values(
                session, item.metric, period, level, keys, viewer, small_group, within=within
            )
            for item in weights
        ]
    if len(weights) == 1:
        values = [per_metric[0][key] for key in keys]
        return _entries(values, higher_is_better=weights[0].metric.higher_is_better)
    return _entries(_index(keys, weights, per_metric), higher_is_better=True)


async def _divisions(session: AsyncSession, within: str, level: DivisionLevel) -> list[str]:
    statement = (
        select(m.Division.code)
        .where(m.Division.level == level, m.Division.code.startswith(significant_prefix(within)))
        .order_by(m.Division.code)
    )
    return list((await session.scalars(statement)).all())


INDEX = Metric(
    "index",
    "综合指数",
    "Composite index",
    "score 0–100",
    MetricKind.FLOW,
    select,
    instant=False,
    description="Weighted mean of the metrics, each scaled to 0–100 across the ranked divisions.",
)


def _index(
    keys: Sequence[str], weights: Sequence[Weighted], per_metric: list[dict[str, MetricValue]]
) -> list[MetricValue]:
    """Each metric scaled to 0–100 across the ranked divisions (inverted where lower is
    better), then averaged with the weights over the metrics a division has."""

    def scaled(values: dict[str, MetricValue], metric: Metric, pick: str) -> dict[str, float]:
        present = {
            key: getattr(value, pick)
            for key, value in values.items()
            if getattr(value, pick) is not None
        }
        if not present:
            return {}
        low, high = min(present.values()), max(present.values())
        result = {}
        for key, value in present.items():
            share = 1.0 if high == low else (value - low) / (high - low)
            result[key] = 100 * (share if metric.higher_is_better else 1 - share)
        return result

    current = [
        scaled(values, item.metric, "value")
        for item, values in zip(weights, per_metric, strict=True)
    ]
    previous = [
        scaled(values, item.metric, "previous")
        for item, values in zip(weights, per_metric, strict=True)
    ]
    entries = []
    for key in keys:
        score = _weighted(key, weights, current)
        entries.append(
            MetricValue(
                INDEX,
                key,
                score,
                None,
                None,
                missing=score is None,
                suppressed=score is None and any(values[key].suppressed for values in per_metric),
                previous=_weighted(key, weights, previous),
                components=[values[key] for values in per_metric],
            )
        )
    return entries


def _weighted(
    key: str, weights: Sequence[Weighted], scaled: list[dict[str, float]]
) -> float | None:
    total = sum(item.weight for item, values in zip(weights, scaled, strict=True) if key in values)
    if total == 0:
        return None
    return (
        sum(
            item.weight * values[key]
            for item, values in zip(weights, scaled, strict=True)
            if key in values
        )
        / total
    )


def _entries(values: Sequence[MetricValue], *, higher_is_better: bool) -> list[RankedEntry]:
    before = [
        MetricValue(
            value.metric, value.key, value.previous, None, None, missing=value.previous is None
        )
        for value in values
    ]
    previous_rank = {
        item.key: position for position, item in rank(before, higher_is_better=higher_is_better)
    }
    return [
        RankedEntry(value.key, position, previous_rank.get(value.key), value)
        for position, value in rank(values, higher_is_better=higher_is_better)
    ]


# Rankings of institutes and teams: activity and order metrics, straight from the rows.
SUBJECT_METRICS = ("activities", "people_served", "volunteer_hours", "orders_placed")

# metric → (activity column summed, or None to count activities; scale to the unit)
_ACTIVITY_PARTS: dict[str, tuple[str | None, float]] = {
    "activities": (None, 1.0),
    "people_served": ("people_served", 1.0),
    "volunteer_hours": ("volunteer_minutes", 1 / 60),
}


async def rank_institutes(
    sessionmaker: Sessionmaker, within: str, metric: Metric, period: Period
) -> list[RankedEntry]:
    """Institutes by what happened at them and at their stations and points."""
    site, parent, grandparent = m.Site, aliased(m.Site), aliased(m.Site)
    institute = case(
        (site.kind == m.SiteKind.INSTITUTE, site.id),
        (parent.kind == m.SiteKind.INSTITUTE, parent.id),
        (grandparent.kind == m.SiteKind.INSTITUTE, grandparent.id),
    )

    def statement(current: Period) -> Any:
        aggregate, moment, source = _subject_source(metric, current)
        return (
            select(institute.label("key"), aggregate)
            .select_from(source)
            .join(site, site.id == source.c.site_id)
            .outerjoin(parent, parent.id == site.parent_id)
            .outerjoin(grandparent, grandparent.id == parent.parent_id)
            .where(moment, site.division_code.startswith(significant_prefix(within)))
            .group_by(institute)
        )

    async with sessionmaker() as session:
        keys = [
            str(key)
            for key in await session.scalars(
                select(m.Site.id)
                .where(
                    m.Site.kind == m.SiteKind.INSTITUTE,
                    m.Site.division_code.startswith(significant_prefix(within)),
                    m.Site.retired_at.is_(None),
                )
                .order_by(m.Site.id)
            )
        ]
        return await _subject_ranking(session, metric, period, keys, statement)


async def rank_teams(
    sessionmaker: Sessionmaker, within: str, metric: Metric, period: Period
) -> list[RankedEntry]:
    """Teams by the activities they held (and the orders they accepted)."""
    links = m.activity_teams

    def statement(current: Period) -> Any:
        aggregate, moment, source = _subject_source(metric, current)
        if metric.code == "orders_placed":
            team = source.c.team_id
            return (
                select(team.label("key"), aggregate)
                .select_from(source)
                .where(moment, team.is_not(None))
                .group_by(team)
            )
        return (
            select(links.c.team_id.label("key"), aggregate)
            .select_from(source)
            .join(links, links.c.activity_id == source.c.id)
            .where(moment)
            .group_by(links.c.team_id)
        )

    async with sessionmaker() as session:
        keys = [
            str(key)
            for key in await session.scalars(
                select(m.Team.id)
                .where(
                    m.Team.county_code.startswith(significant_prefix(within)),
                    m.Team.retired_at.is_(None),
                )
                .order_by(m.Team.id)
            )
        ]
        return await _subject_ranking(session, metric, period, keys, statement)


def _subject_source(metric: Metric, period: Period) -> tuple[Any, Any, Any]:
    start, end = period.instants()
    if metric.code == "orders_placed":
        orders = m.ServiceOrder.__table__
        inside = (
            (orders.c.ordered_at >= start)
            & (orders.c.ordered_at < end)
            & orders.c.retired_at.is_(None)
        )
        return func.count(), inside, orders
    activities = m.Activity.__table__
    column, _ = _ACTIVITY_PARTS[metric.code]
    value = func.sum(activities.c[column]) if column is not None else func.count()
    inside = (
        (activities.c.starts_at >= start)
        & (activities.c.starts_at < end)
        & activities.c.retired_at.is_(None)
    )
    return value, inside, activities


async def _subject_ranking(
    session: AsyncSession, metric: Metric, period: Period, keys: list[str], statement: Any
) -> list[RankedEntry]:
    scale = _ACTIVITY_PARTS.get(metric.code, (None, 1.0))[1]
    results = []
    for current in (period, period.previous()):
        rows = (await session.execute(statement(current))).all()
        results.append(
            {str(key): float(total or 0) * scale for key, total in rows if key is not None}
        )
    now, before = results
    values = [
        MetricValue(
            metric,
            key,
            now.get(key, 0.0),
            now.get(key, 0.0),
            None,
            missing=False,
            previous=before.get(key, 0.0),
        )
        for key in keys
    ]
    return _entries(values, higher_is_better=True)
