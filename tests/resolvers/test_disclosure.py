"""Disclosure control, tried as an outsider would: every answer an anonymous caller can
get about households' points, over every level, standard period and whole-month range,
taken together as a system of equations, must not pin down any one household's part.

The adversary is the strong one statistical offices assume: it knows which households
contributed to what (only the amounts are unknown), so one unknown per household and
month with entries. A household's part is solved for when some combination of public
answers involves that household's unknowns only, that is when removing its unknowns
lowers the rank of the system.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from db.engine import create_sessionmaker
from db.metrics import METRICS
from db.models import DivisionLevel, significant_prefix
from db.rollup import refresh_rollup
from resolvers.comparison import Weighted, rank_divisions
from resolvers.disclosure import Block, Contributors, Size, WholeMonthsOnly, partition
from resolvers.periods import Period
from resolvers.stats import division_level, metric_values
from resolvers.viewer import Role, Viewer
from tests.factories import provenance
from tests.ledger import MONTHS, VILLAGES, Contribution, build_ledger

SMALL_GROUP = 3
OUTSIDER = Viewer()
KAILI_STAFF = Viewer(Role.COUNTY_STAFF, frozenset({"522601"}))


@pytest.fixture
async def ledger(engine: AsyncEngine) -> dict[Contribution, int]:
    return await build_ledger(engine)


def _periods() -> Iterator[Period]:
    """What an outsider may ask: months, quarters, years and whole-month ranges."""
    yield from (Period.month(day.year, day.month) for day in MONTHS)
    yield from (Period.parse(f"{year}-Q{quarter}") for year in (2025, 2026) for quarter in (1, 2))
    yield from (Period.parse(f"{year}-Q{quarter}") for year in (2025,) for quarter in (3, 4))
    yield from (Period.parse(str(year)) for year in (2025, 2026))
    for first in range(len(MONTHS)):
        for last in range(first + 1, len(MONTHS)):
            end = MONTHS[last + 1] if last + 1 < len(MONTHS) else date(2026, 7, 1)
            yield Period(None, MONTHS[first], end)


def _keys() -> dict[DivisionLevel, list[str]]:
    codes = ["520000", "522600", "522601", "522602"]
    codes += sorted({code[:9] + "000" for code in VILLAGES}) + sorted(VILLAGES)
    keys: dict[DivisionLevel, list[str]] = defaultdict(list)
    for code in codes:
        keys[division_level(code)].append(code)
    return keys


class Equations:
    """Public answers as equations over the unknown parts, with rank kept mod a prime."""

    PRIME = 2**61 - 1

    def __init__(self, unknowns: list[Contribution]) -> None:
        self.unknowns = unknowns
        self.rows: set[frozenset[int]] = set()

    def add(self, columns: frozenset[int]) -> None:
        if columns:
            self.rows.add(columns)

    def rank(self, without: frozenset[int] = frozenset()) -> int:
        basis: dict[int, list[int]] = {}
        for row in self.rows:
            vector = [
                0 if index in without else int(index in row) for index in range(len(self.unknowns))
            ]
            for pivot, reducer in basis.items():
                if vector[pivot]:
                    factor = vector[pivot]
                    vector = [
                        (a - factor * b) % self.PRIME for a, b in zip(vector, reducer, strict=True)
                    ]
            lead = next((index for index, value in enumerate(vector) if value), None)
            if lead is None:
                continue
            inverse = pow(vector[lead], self.PRIME - 2, self.PRIME)
            vector = [value * inverse % self.PRIME for value in vector]
            for pivot, reducer in list(basis.items()):
                if reducer[lead]:
                    factor = reducer[lead]
                    basis[pivot] = [
                        (a - factor * b) % self.PRIME for a, b in zip(reducer, vector, strict=True)
                    ]
            basis[lead] = vector
        return len(basis)


def _inside(item: Contribution, key: str, period: Period) -> bool:
    return item.division.startswith(significant_prefix(key)) and (
        period.start <= item.month < period.end
    )


async def test_no_combination_of_public_answers_recovers_one_households_deduction(
    engine: AsyncEngine, ledger: dict[Contribution, int]
) -> None:
    unknowns = sorted(ledger, key=lambda item: (item.household, item.month))
    equations = Equations(unknowns)
    published = 0
    async with create_sessionmaker(engine)() as session:
        for period in _periods():
            for level, keys in _keys().items():
                found = await metric_values(
                    session, METRICS["points_deducted"], period, level, keys, OUTSIDER, SMALL_GROUP
                )
                for key, value in found.items():
                    for shown, asked in (
                        (value.value, period),
                        (value.previous, period.previous()),
                    ):
                        if shown is None:
                            continue
                        columns = frozenset(
                            index
                            for index, item in enumerate(unknowns)
                            if _inside(item, key, asked)
                        )
                        # The answer is what the ledger says: the equations are the hub's.
                        assert shown == sum(ledger[unknowns[index]] for index in columns), (
                            key,
                            asked,
                            value,
                        )
                        equations.add(columns)
                        published += 1
    # The outsider does learn something: counties and the prefecture by quarter and year.
    assert published > 100
    whole = equations.rank()
    households = defaultdict(set)
    for index, item in enumerate(unknowns):
        households[item.household].add(index)
    solved = [
        household
        for household, columns in households.items()
        if equations.rank(frozenset(columns)) < whole
    ]
    assert solved == []


async def _county_values(
    engine: AsyncEngine, period: Period, viewer: Viewer = OUTSIDER, code: str = "points_deducted"
) -> dict[str, Any]:
    async with create_sessionmaker(engine)() as session:
        return await metric_values(
            session,
            METRICS[code],
            period,
            DivisionLevel.COUNTY,
            ["522601", "522602"],
            viewer,
            SMALL_GROUP,
        )


def _deducting(ledger: dict[Contribution, int], county: str, period: Period) -> set[int]:
    return {
        item.household
        for item in ledger
        if item.division.startswith(county) and period.start <= item.month < period.end
    }


async def test_small_groups_are_counted_over_the_households_whose_entries_make_the_value(
    engine: AsyncEngine, ledger: dict[Contribution, int]
) -> None:
    """Every household holds a passbook; what counts is how many lost points."""
    checked = 0
    for day in MONTHS:
        month = Period.month(day.year, day.month)
        outside = await _county_values(engine, month)
        own = await _county_values(engine, month, KAILI_STAFF)
        households = _deducting(ledger, "522601", month)
        if 0 < len(households) < SMALL_GROUP:
            checked += 1
            assert outside["522601"].suppressed
            assert outside["522601"].value is None
            assert own["522601"].value == sum(
                points
                for item, points in ledger.items()
                if item.household in households and item.month == day
            )
    assert checked  # the seed gives months with one or two deducting households


async def test_a_period_minus_its_shown_parts_never_leaves_one_hidden_part(
    engine: AsyncEngine, ledger: dict[Contribution, int]
) -> None:
    """Quarter minus months, year minus quarters: where the whole is shown, its hidden
    parts are none or several (complementary suppression)."""
    complemented = 0
    for county in ("522601", "522602"):
        for year in (2025, 2026):
            quarters = [Period.parse(f"{year}-Q{q}") for q in (1, 2, 3, 4)][
                : 4 if year == 2025 else 2
            ]
            for whole, parts in [
                *(
                    (quarter, [Period.month(day.year, day.month) for day in quarter.months()])
                    for quarter in quarters
                ),
                (Period.parse(str(year)), quarters),
            ]:
                if (await _county_values(engine, whole))[county].suppressed:
                    continue
                hidden = [
                    part
                    for part in parts
                    if (await _county_values(engine, part))[county].suppressed
                ]
                assert len(hidden) != 1, (county, whole, hidden)
                complemented += len(hidden) >= 2
    assert complemented  # the seed needs complementary suppression somewhere


async def test_the_previous_value_is_held_back_where_that_period_is(
    engine: AsyncEngine, ledger: dict[Contribution, int]
) -> None:
    held = 0
    for day in MONTHS[1:]:
        month = Period.month(day.year, day.month)
        current = await _county_values(engine, month)
        before = await _county_values(engine, month.previous())
        for county in ("522601", "522602"):
            if before[county].suppressed and not current[county].suppressed:
                held += 1
                assert current[county].previous is None
                assert current[county].change is None
            elif not current[county].suppressed:
                assert current[county].previous == before[county].value
    assert held


async def test_day_ranges_of_household_figures_are_refused_outside_the_county(
    engine: AsyncEngine, ledger: dict[Contribution, int]
) -> None:
    days = Period.between(date(2025, 3, 1), date(2025, 3, 15))
    with pytest.raises(WholeMonthsOnly, match="whole months"):
        await _county_values(engine, days)
    own = await _county_values(engine, days, Viewer(Role.PROVINCE_STAFF, frozenset({"520000"})))
    march = sum(
        points
        for item, points in ledger.items()
        if item.division.startswith("522601") and item.month == date(2025, 3, 1)
    )
    assert own["522601"].value is not None
    assert 0 <= own["522601"].value <= march
    # Figures that are not about people keep their day ranges.
    sites = await _county_values(engine, days, code="demonstration_sites")
    assert not sites["522601"].suppressed


async def test_no_village_stands_out_to_an_outsider(
    engine: AsyncEngine, ledger: dict[Contribution, int]
) -> None:
    """Neither values nor the difference between hidden and empty: every village alike."""
    year = Period.parse("2025")
    sessionmaker = create_sessionmaker(engine)
    outside = await rank_divisions(
        sessionmaker,
        OUTSIDER,
        SMALL_GROUP,
        "522600",
        DivisionLevel.VILLAGE,
        [Weighted(METRICS["points_deducted"], 1)],
        year,
    )
    assert {(entry.rank, entry.value.suppressed, entry.value.missing) for entry in outside} == {
        (None, True, False)
    }
    assert len(outside) == len(VILLAGES)
    own = await rank_divisions(
        sessionmaker,
        KAILI_STAFF,
        SMALL_GROUP,
        "522601",
        DivisionLevel.VILLAGE,
        [Weighted(METRICS["points_deducted"], 1)],
        year,
    )
    assert all(entry.value.value is not None for entry in own if entry.key in VILLAGES)


def _contributors(months: dict[int, int], small_group: int = 3) -> list[Block]:
    """Blocks of 2025 from contributors per month number (additive: quarters summed)."""
    counts = Contributors({}, {}, {})
    for month, count in months.items():
        day = date(2025, month, 1)
        quarter = date(2025, (month - 1) // 3 * 3 + 1, 1)
        counts.months[day] = count
        counts.quarters[quarter] = counts.quarters.get(quarter, 0) + count
        counts.years[date(2025, 1, 1)] = counts.years.get(date(2025, 1, 1), 0) + count
    return partition(counts, small_group)


def _spans(blocks: list[Block]) -> list[tuple[int, int, str]]:
    """Blocks other than single months with enough: (first month, last month, size)."""
    found = []
    for block in blocks:
        last = (block.end.month - 2) % 12 + 1
        if last != block.start.month or block.size is not Size.ENOUGH:
            found.append((block.start.month, last, block.size.value))
    return found


def test_a_month_with_too_few_joins_the_nearest_month_of_its_quarter_that_has_enough() -> None:
    # February (one household) joins January, not March: the nearer, then the earlier.
    blocks = _contributors({1: 5, 2: 1, 3: 5, **{month: 4 for month in range(4, 13)}})
    assert _spans(blocks) == [(1, 2, "enough")]


def test_a_quarter_with_too_few_is_taken_whole_and_joins_a_neighbour() -> None:
    # Q2 has two households in all: it joins March, the nearest month with enough.
    blocks = _contributors({1: 5, 2: 5, 3: 5, 4: 1, 5: 1, 7: 4, 8: 4, 9: 4, 10: 4, 11: 4, 12: 4})
    assert _spans(blocks) == [(3, 6, "enough")]


def test_months_without_anyone_stay_apart_and_a_year_with_too_few_stays_hidden() -> None:
    assert _spans(_contributors({1: 4, 2: 0, 3: 4})) == [
        (2, 2, "none"),
        *((month, month, "none") for month in range(4, 13)),
    ]
    assert [block.size for block in _contributors({5: 1, 9: 1})] == [Size.FEW]


async def test_blocks_are_computed_once_per_refresh_and_again_after_one(
    engine: AsyncEngine, ledger: dict[Contribution, int]
) -> None:
    july = Period.month(2026, 7)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        counts = []
        for _ in range(2):
            statements.clear()
            before = await _county_values(engine, july)
            counts.append(len(statements))
        # July has no entries yet: nothing to hold back, and the second read reuses
        # the blocks of the first.
        assert before["522601"].value == 0
        assert counts[1] == counts[0] - 1
        async with create_sessionmaker(engine)() as session, session.begin():
            session.add(
                m.PointsEntry(
                    account_id=1,
                    kind=m.PointsEntryKind.DEDUCT,
                    points=-4,
                    occurred_on=date(2026, 7, 3),
                    **provenance(),
                )
            )
        await refresh_rollup(engine)
        statements.clear()
        after = await _county_values(engine, july)
        assert len(statements) == counts[0]
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert after["522601"].suppressed
    own = await _county_values(engine, july, KAILI_STAFF)
    assert own["522601"].value == 4
