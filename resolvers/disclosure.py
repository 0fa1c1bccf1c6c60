"""Disclosure control: which figures about people and households a viewer outside the
owning county may see, so that no combination of them gives away anyone's part.

Every county's timeline is cut into *blocks* of whole months, each holding the parts of
no one, or of at least `small_group` contributors (the households or people whose
records make the figure). An outsider sees a figure only where it is a union of whole
blocks of the counties it covers. Then any sum or difference of public figures is a
combination of blocks, and each block in it mixes at least `small_group` contributors:
no one's part can be solved for. A month with too few contributors is merged with the
nearest month that has enough (primary suppression); the months merged with it are then
hidden as well (complementary suppression), while the quarter or year around them,
being a union of blocks, is still shown. Below the county, an outsider sees nothing of
these figures: a village has too few households to be cut this way, and showing some
villages would single out the others.
"""

from __future__ import annotations

import enum
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import table_of
from db.metrics import METRICS, Metric, MetricKind
from db.models import PeriodKind, RollupValue, significant_prefix
from db.rollup import rollup_version
from resolvers.periods import Period, add_months

__all__ = [
    "Block",
    "Contributors",
    "PeriodRefused",
    "Publication",
    "Size",
    "StandardPeriodsOnly",
    "WholeMonthsOnly",
    "nothing_reported",
    "partition",
    "publication",
    "withheld",
]


class PeriodRefused(Exception):
    """A period an outsider may not ask of a figure about people or households."""


class WholeMonthsOnly(PeriodRefused):
    """A day range asked of figures about people or households by someone outside the
    county: such ranges would cut a county's figure into single entries."""

    def __init__(self, metric: Metric) -> None:
        super().__init__(
            f"{metric.code} counts people or households: outside the county it is given by "
            "whole months only; ask for a month (2026-03), a quarter (2026-Q1), a year "
            "(2026) or a range from the first day of a month to the last day of a month"
        )


class StandardPeriodsOnly(PeriodRefused):
    """A range of months asked of a count of distinct people by someone outside the
    county: distinct counts are kept by month, quarter and year only."""

    def __init__(self, metric: Metric) -> None:
        super().__init__(
            f"{metric.code} counts distinct people: outside the county it is given by "
            "month (2026-03), quarter (2026-Q1) or year (2026) only"
        )


class Size(enum.Enum):
    """How many contributors a span of months holds, against the small-group threshold."""

    NONE = "none"
    FEW = "few"
    ENOUGH = "enough"


@dataclass(frozen=True, slots=True)
class Block:
    """Months `start` up to (not including) `end`, shown or hidden together."""

    start: date
    end: date
    size: Size


@dataclass(slots=True)
class Contributors:
    """Contributors to one metric in one county: per month, per quarter and per year
    (first day of each), and those with no date (counted in every period)."""

    months: dict[date, int]
    quarters: dict[date, int]
    years: dict[date, int]
    undated: int = 0


def partition(counts: Contributors, small_group: int) -> list[Block]:
    """The county's blocks, in time order, over the years it has contributors in.

    Months with too few contributors join the nearest month of the same quarter that
    has enough; failing that the quarter is taken whole, and joins the nearest block of
    the year that has enough; failing that the year, which joins the nearest year."""

    def size(count: int) -> Size:
        return _size(count, small_group)

    years: list[Block] = []
    for year in sorted(counts.years):
        quarters: list[Block] = []
        for quarter in (date(year.year, month, 1) for month in (1, 4, 7, 10)):
            months = [
                Block(day, add_months(day, 1), size(counts.months.get(day, 0)))
                for day in (add_months(quarter, step) for step in range(3))
            ]
            whole = Block(quarter, months[-1].end, size(counts.quarters.get(quarter, 0)))
            quarters += _joined(months) or [whole]
        whole_year = Block(year, date(year.year + 1, 1, 1), size(counts.years[year]))
        years += _joined(quarters) or [whole_year]
    return _joined(years) or years


def _joined(units: list[Block]) -> list[Block] | None:
    """Units with each FEW one merged into the nearest ENOUGH one (with whatever lies
    between); None when there is no ENOUGH unit to merge into."""
    few = [index for index, unit in enumerate(units) if unit.size is Size.FEW]
    if not few:
        return units
    enough = [index for index, unit in enumerate(units) if unit.size is Size.ENOUGH]
    if not enough:
        return None
    reach: dict[int, tuple[int, int]] = {index: (index, index) for index in enough}
    for index in few:
        target = min(enough, key=lambda candidate: (abs(candidate - index), candidate))
        low, high = reach[target]
        reach[target] = (min(low, index), max(high, index))
    merged: list[Block] = []
    covered: dict[int, tuple[int, int]] = {low: (low, high) for low, high in reach.values()}
    index = 0
    while index < len(units):
        if index in covered:
            low, high = covered[index]
            merged.append(Block(units[low].start, units[high].end, Size.ENOUGH))
            index = high + 1
        else:
            merged.append(units[index])
            index += 1
    return merged


@dataclass(slots=True)
class Publication:
    """What an outsider may see of one metric, county by county."""

    metric: Metric
    blocks: dict[str, list[Block]]
    undated: dict[str, Size]
    version: datetime | None
    everything_hidden: bool = False

    def reports(self, county: str) -> bool:
        """Has the county any contributors to this metric at all?"""
        return self.everything_hidden or county in self.blocks

    def shows(self, key: str, period: Period) -> bool:
        """May an outsider see `key`'s figure (a county or above) for `period`?"""
        if self.everything_hidden:
            return False
        prefix = significant_prefix(key)
        counties = [county for county in self.blocks if county.startswith(prefix)]
        return all(self._county_shows(county, period) for county in counties)

    def _county_shows(self, county: str, period: Period) -> bool:
        if self.undated[county] is Size.FEW:
            return False  # undated parts are in every period: nothing can be cut off
        stock = self.metric.kind is MetricKind.STOCK
        for block in self.blocks[county]:
            inside = block.start < period.end and (stock or block.end > period.start)
            if inside and block.size is Size.FEW:
                return False
            cut = [period.end] if stock else [period.start, period.end]
            if any(block.start < edge < block.end for edge in cut):
                return False
        return True


# Publications computed lately, by metric, scope and threshold; each is good for the
# rollup refresh it was computed from.
_KEPT = 256
_kept: OrderedDict[tuple[str, tuple[str, ...], int], Publication] = OrderedDict()


async def publication(
    session: AsyncSession,
    metric: Metric,
    small_group: int,
    version: datetime | None,
    *,
    within: str | None = None,
    keys: Iterable[str] | None = None,
) -> Publication | None:
    """The blocks of every county below `within` or below any of `keys`, from the
    rollup's count of contributors, as of the rollup refresh `version` the values were
    read from: None if the rollup has been refreshed since (read the values again).
    Computed once per refresh (one statement), then kept."""
    assert metric.subjects_metric is not None
    prefixes = tuple(
        sorted(significant_prefix(code) for code in ([within] if within else keys or []))
    )
    cache_key = (metric.code, prefixes, small_group)
    kept = _kept.get(cache_key)
    if version is not None and kept is not None and kept.version == version:
        _kept.move_to_end(cache_key)
        return kept
    source = METRICS[metric.subjects_metric]
    rollup = table_of(RollupValue).c
    county = func.substr(rollup.division_code, 1, 6)
    part = rollup.numerator if metric.subjects_part == "numerator" else rollup.denominator
    statement = (
        select(county, rollup.period_kind, rollup.period_start, func.sum(part), rollup_version())
        .where(rollup.metric == source.code)
        .where(or_(*(rollup.division_code.startswith(prefix) for prefix in prefixes)))
        .group_by(county, rollup.period_kind, rollup.period_start)
    )
    found: dict[str, Contributors] = defaultdict(lambda: Contributors({}, {}, {}))
    rows = (await session.execute(statement)).all()
    for code, kind, start, total, _ in rows:
        _count(found[code], PeriodKind(kind), start, int(total or 0), source)
    read_from = rows[0][4] if rows else await session.scalar(select(rollup_version()))
    if read_from != version:
        return None
    blocks = {code: partition(counts, small_group) for code, counts in found.items()}
    undated = {code: _size(counts.undated, small_group) for code, counts in found.items()}
    made = Publication(metric, blocks, undated, version)
    if version is not None:
        _kept[cache_key] = made
        if len(_kept) > _KEPT:
            _kept.popitem(last=False)
    return made


def nothing_reported(metric: Metric) -> Publication:
    """Where no division reports the metric at all: nothing to hold back."""
    return Publication(metric, {}, {}, None)


def withheld(metric: Metric) -> Publication:
    """What to show when the rollup keeps changing under the reader: nothing."""
    return Publication(metric, {}, {}, None, everything_hidden=True)


def _count(counts: Contributors, kind: PeriodKind, start: date, total: int, source: Metric) -> None:
    """File one rollup row. Distinct counts come per month, quarter and year; counts of
    records (one contributor each: a rating, a registration) are summed up from months."""
    if kind is PeriodKind.BASE:
        counts.undated += total
        return
    if source.kind is MetricKind.DISTINCT:
        target = {
            PeriodKind.MONTH: counts.months,
            PeriodKind.QUARTER: counts.quarters,
            PeriodKind.YEAR: counts.years,
        }[kind]
        target[start] = target.get(start, 0) + total
        return
    quarter = date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    year = date(start.year, 1, 1)
    counts.months[start] = counts.months.get(start, 0) + total
    counts.quarters[quarter] = counts.quarters.get(quarter, 0) + total
    counts.years[year] = counts.years.get(year, 0) + total


def _size(count: int, small_group: int) -> Size:
    if count == 0:
        return Size.NONE
    return Size.ENOUGH if count >= small_group else Size.FEW
