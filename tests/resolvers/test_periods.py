"""Periods in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from db.models import PeriodKind
from resolvers.periods import Period, PeriodError


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "label"),
    [
        ("2026-03", PeriodKind.MONTH, date(2026, 3, 1), date(2026, 4, 1), "2026-03"),
        ("2026-12", PeriodKind.MONTH, date(2026, 12, 1), date(2027, 1, 1), "2026-12"),
        ("2026-Q1", PeriodKind.QUARTER, date(2026, 1, 1), date(2026, 4, 1), "2026-Q1"),
        ("2026-Q4", PeriodKind.QUARTER, date(2026, 10, 1), date(2027, 1, 1), "2026-Q4"),
        ("2026", PeriodKind.YEAR, date(2026, 1, 1), date(2027, 1, 1), "2026"),
    ],
)
def test_named_periods(text: str, kind: PeriodKind, start: date, end: date, label: str) -> None:
    period = Period.parse(text)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, label)


@pytest.mark.parametrize(
    ("text", "previous"), [("2026-01", "2025-12"), ("2026-Q1", "2025-Q4"), ("2026", "2025")]
)
def test_previous_period(text: str, previous: str) -> None:
    assert Period.parse(text).previous() == Period.parse(previous)


def test_custom_range_includes_both_days_and_precedes_itself() -> None:
    period = Period.between(date(2026, 3, 10), date(2026, 3, 19))
    assert (period.start, period.end) == (date(2026, 3, 10), date(2026, 3, 20))
    assert period.label == "2026-03-10..2026-03-19"
    assert period.previous() == Period.between(date(2026, 2, 28), date(2026, 3, 9))
    assert not period.is_whole_months
    assert Period.between(date(2026, 3, 1), date(2026, 4, 30)).is_whole_months


def test_periods_begin_at_midnight_in_shanghai() -> None:
    start, end = Period.parse("2026-03").instants()
    assert start == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26", "March 2026", ""])
def test_unreadable_periods_say_how_to_write_them(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_a_range_that_ends_before_it_starts() -> None:
    with pytest.raises(PeriodError, match="before it starts"):
        Period.between(date(2026, 3, 2), date(2026, 3, 1))


async def test_bucket_units_do_not_share_a_compiled_statement() -> None:
    from sqlalchemy import Date, literal, select

    from db.engine import create_engine
    from db.sqltime import bucket_start

    engine = create_engine("sqlite+aiosqlite://")
    day = literal(date(2026, 8, 15), Date())
    async with engine.connect() as connection:
        found = [
            (await connection.execute(select(bucket_start(day, unit, instant=False)))).scalar_one()
            for unit in ("month", "quarter", "year", "month")
        ]
    await engine.dispose()
    assert found == [date(2026, 8, 1), date(2026, 7, 1), date(2026, 1, 1), date(2026, 8, 1)]
