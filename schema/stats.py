"""Comparisons and rankings: metric definitions, values, compare() and ranking()."""

from __future__ import annotations

import enum
import json
from datetime import date

import strawberry
from sqlalchemy import select

from db import models as m
from db.metrics import METRICS, Metric, MetricKind, metric
from resolvers import comparison
from resolvers.common import shown
from resolvers.disclosure import PeriodRefused
from resolvers.periods import Period, PeriodError
from resolvers.stats import MetricValue as MetricValueRow
from resolvers.stats import lies_below
from schema.divisions import Division, division_of
from schema.errors import BadUserInput, Refused
from schema.info import Info
from schema.inputs import checked_division_code, require_divisions
from schema.refs import InstituteRef, TeamRef

__all__ = [
    "Comparison",
    "IndexWeight",
    "MetricDefinition",
    "MetricValue",
    "PeriodInput",
    "Ranking",
    "RankingSubject",
    "SavedIndex",
    "compare",
    "ranking",
    "saved_indexes",
]


_ROLL_UP = {
    MetricKind.FLOW: "sum of the parts in the period",
    MetricKind.STOCK: "sum of the parts up to the end of the period",
    MetricKind.DISTINCT: "distinct count in the period",
    MetricKind.MEDIAN: "median of the events (computed directly, not rolled up)",
}


@strawberry.type(name="Metric", description="A comparison metric of the registry.")
class MetricDefinition:
    code: str
    name_zh: str
    name_en: str
    unit: str
    description: str
    higher_is_better: bool
    is_ratio: bool
    rolls_up_as: str
    small_groups_suppressed: bool = strawberry.field(
        description="A figure about people or households: for viewers outside the county it "
        "is held back where it rests on too few of them or could be differenced down to them "
        "(another period, the previous value, a neighbouring month), is not shown below the "
        "county, and is asked by whole months."
    )

    @classmethod
    def from_metric(cls, definition: Metric) -> MetricDefinition:
        return cls(
            code=definition.code,
            name_zh=definition.name_zh,
            name_en=definition.name_en,
            unit=definition.unit,
            description=definition.description,
            higher_is_better=definition.higher_is_better,
            is_ratio=definition.ratio,
            rolls_up_as=("ratio of summed parts; " if definition.ratio else "")
            + _ROLL_UP[definition.kind],
            small_groups_suppressed=definition.subjects is not None,
        )


@strawberry.type(description="A metric's value for one division and period.")
class MetricValue:
    metric: MetricDefinition
    value: float | None = strawberry.field(description="Null when missing or suppressed.")
    numerator: float | None
    denominator: float | None
    missing: bool = strawberry.field(
        description="The division's systems do not report this metric."
    )
    suppressed: bool = strawberry.field(description="Hidden: too few people or households.")
    previous_value: float | None
    change: float | None = strawberry.field(description="value − previousValue.")
    components: list[MetricValue] = strawberry.field(description="An index's metrics.")

    @classmethod
    def from_row(cls, row: MetricValueRow) -> MetricValue:
        return cls(
            metric=MetricDefinition.from_metric(row.metric),
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            missing=row.missing,
            suppressed=row.suppressed,
            previous_value=None if row.suppressed else row.previous,
            change=None if row.suppressed else row.change,
            components=[MetricValue.from_row(component) for component in row.components],
        )


@strawberry.type
class Comparison:
    period: str
    previous_period: str
    values: list[MetricValue]
    division_code: strawberry.Private[str]

    @strawberry.field
    async def division(self, info: Info) -> Division | None:
        row = await info.context.loaders.row(m.Division.code).load(self.division_code)
        return Division.from_row(row) if row else None


@strawberry.input(
    description='One of: name ("2026-03", "2026-Q1", "2026"), or from and to '
    "(days included). Months begin at midnight in Asia/Shanghai."
)
class PeriodInput:
    name: str | None = None
    from_: date | None = strawberry.field(default=None, name="from")
    to: date | None = None

    def period(self) -> Period:
        try:
            if self.name is not None and self.from_ is None and self.to is None:
                return Period.parse(self.name)
            if self.name is None and self.from_ is not None and self.to is not None:
                return Period.between(self.from_, self.to)
        except PeriodError as error:
            raise BadUserInput(str(error)) from None
        raise BadUserInput("give a period by `name`, or by both `from` and `to`")


@strawberry.enum
class RankingSubject(enum.Enum):
    DIVISIONS = "divisions"
    INSTITUTES = "institutes"
    TEAMS = "teams"


@strawberry.input
class IndexWeight:
    metric: str
    weight: float


@strawberry.type(description="A composite index saved by name.")
class SavedIndex:
    name: str
    description: str | None
    weights: list[IndexWeightValue]


@strawberry.type
class IndexWeightValue:
    metric: str
    weight: float


@strawberry.type
class RankingEntry:
    rank: int | None = strawberry.field(description="1 is best; null when missing or suppressed.")
    previous_rank: int | None
    value: MetricValue
    key: strawberry.Private[str]
    subject: strawberry.Private[RankingSubject]

    @strawberry.field(description="How many places it rose since the previous period.")
    def rank_change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @strawberry.field
    async def division(self, info: Info) -> Division | None:
        if self.subject is not RankingSubject.DIVISIONS:
            return None
        return await division_of(info, self.key)

    @strawberry.field
    async def institute(self, info: Info) -> InstituteRef | None:
        from schema.sites import Institute

        if self.subject is not RankingSubject.INSTITUTES:
            return None
        row = await info.context.loaders.row(m.Site.id).load(int(self.key))
        return Institute.from_row(row) if row else None

    @strawberry.field
    async def team(self, info: Info) -> TeamRef | None:
        from schema.teams import Team

        if self.subject is not RankingSubject.TEAMS:
            return None
        row = await info.context.loaders.row(m.Team.id).load(int(self.key))
        return Team.from_row(row) if row else None


@strawberry.type
class Ranking:
    period: str
    previous_period: str
    metric: MetricDefinition | None = strawberry.field(description="Null for an index.")
    index: list[IndexWeightValue] | None
    entries: list[RankingEntry]


def _metric(code: str) -> Metric:
    try:
        return metric(code)
    except KeyError as error:
        raise BadUserInput(str(error.args[0])) from None


def metrics() -> list[MetricDefinition]:
    return [MetricDefinition.from_metric(item) for item in METRICS.values() if item.public]


async def compare(
    info: Info, division_codes: list[str], metric_codes: list[str], period: PeriodInput
) -> list[Comparison]:
    if not division_codes or len(division_codes) > comparison.MAX_COMPARED:
        raise BadUserInput(f"compare 1 to {comparison.MAX_COMPARED} divisions at once")
    for code in division_codes:
        checked_division_code(code)
    if not metric_codes or len(metric_codes) > comparison.MAX_METRICS:
        raise BadUserInput(f"compare on 1 to {comparison.MAX_METRICS} metrics at once")
    chosen = [_metric(code) for code in metric_codes]
    when = period.period()
    await require_divisions(info, division_codes)
    try:
        found = await comparison.compare(
            info.context.sessionmaker,
            info.context.viewer,
            info.context.small_group,
            division_codes,
            chosen,
            when,
        )
    except PeriodRefused as error:
        raise Refused(str(error)) from None
    return [
        Comparison(
            period=when.label,
            previous_period=when.previous().label,
            values=[MetricValue.from_row(value) for value in item.values],
            division_code=item.division_code,
        )
        for item in found
    ]


async def ranking(
    info: Info,
    within: str,
    level: m.DivisionLevel,
    of: RankingSubject,
    metric_code: str | None,
    index: list[IndexWeight] | None,
    index_name: str | None,
    period: PeriodInput,
) -> Ranking:
    checked_division_code(within)
    await require_divisions(info, [within])
    if sum(choice is not None for choice in (metric_code, index, index_name)) != 1:
        raise BadUserInput("rank by exactly one of `metric`, `index` or `indexName`")
    when = period.period()
    weights = await _weights(info, metric_code, index, index_name)
    context = info.context
    if of is RankingSubject.DIVISIONS:
        if not lies_below(level, within):
            raise BadUserInput(f"{level.name} divisions do not lie below {within}")
        try:
            entries = await comparison.rank_divisions(
                context.sessionmaker,
                context.viewer,
                context.small_group,
                within,
                level,
                weights,
                when,
            )
        except PeriodRefused as error:
            raise Refused(str(error)) from None
    else:
        if len(weights) != 1 or weights[0].metric.code not in comparison.SUBJECT_METRICS:
            allowed = ", ".join(comparison.SUBJECT_METRICS)
            raise BadUserInput(f"institutes and teams are ranked by one of: {allowed}")
        rank_subjects = (
            comparison.rank_institutes if of is RankingSubject.INSTITUTES else comparison.rank_teams
        )
        entries = await rank_subjects(context.sessionmaker, within, weights[0].metric, when)
    single = len(weights) == 1 and metric_code is not None
    return Ranking(
        period=when.label,
        previous_period=when.previous().label,
        metric=MetricDefinition.from_metric(weights[0].metric) if single else None,
        index=None
        if single
        else [IndexWeightValue(metric=w.metric.code, weight=w.weight) for w in weights],
        entries=[
            RankingEntry(
                rank=entry.rank,
                previous_rank=entry.previous_rank,
                value=MetricValue.from_row(entry.value),
                key=entry.key,
                subject=of,
            )
            for entry in entries
        ],
    )


async def _weights(
    info: Info, metric_code: str | None, index: list[IndexWeight] | None, index_name: str | None
) -> list[comparison.Weighted]:
    if metric_code is not None:
        return [comparison.Weighted(_metric(metric_code), 1.0)]
    if index_name is not None:
        async with info.context.sessionmaker() as session:
            saved = await session.get(m.RankingIndex, index_name)
        if saved is None:
            raise BadUserInput(f"no index is saved as {shown(index_name)}")
        index = [
            IndexWeight(metric=code, weight=weight)
            for code, weight in json.loads(saved.weights).items()
        ]
    assert index is not None
    if len(index) > comparison.MAX_METRICS:
        raise BadUserInput(f"an index holds at most {comparison.MAX_METRICS} metrics")
    if not index or any(not 0 < item.weight <= comparison.MAX_WEIGHT for item in index):
        raise BadUserInput(
            f"an index needs metrics with weights above 0 and up to {comparison.MAX_WEIGHT:,}"
        )
    return [comparison.Weighted(_metric(item.metric), item.weight) for item in index]


async def saved_indexes(info: Info) -> list[SavedIndex]:
    async with info.context.sessionmaker() as session:
        rows = (await session.scalars(select(m.RankingIndex).order_by(m.RankingIndex.name))).all()
    return [
        SavedIndex(
            name=row.name,
            description=row.description,
            weights=[
                IndexWeightValue(metric=code, weight=w)
                for code, w in json.loads(row.weights).items()
            ],
        )
        for row in rows
    ]
