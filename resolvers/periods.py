"""Reporting periods: month, quarter, year or a custom range of days in Asia/Shanghai."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from db.models import PeriodKind
from resolvers.common import shown

__all__ = ["FIRST_YEAR", "LAST_YEAR", "SHANGHAI", "Period", "PeriodError", "add_months"]

# Statistics begin with the People's Republic and stop well before dates overflow, so a
# period and the one before it always exist.
FIRST_YEAR = 1949
LAST_YEAR = 2100

SHANGHAI = ZoneInfo("Asia/Shanghai")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
_YEAR = re.compile(r"([0-9]{4})")
_YEAR_PREFIX = re.compile(r"[0-9]{4}")


class PeriodError(ValueError):
    """A period is written in a way the hub does not read."""


@dataclass(frozen=True, slots=True)
class Period:
    """Days `start` up to (not including) `end`, local to Asia/Shanghai."""

    kind: PeriodKind | None
    start: date
    end: date

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026-03" (month), "2026-Q1" (quarter), "2026" (year)."""
        text = text.strip()
        if (match := _YEAR_PREFIX.match(text)) and not FIRST_YEAR <= int(match[0]) <= LAST_YEAR:
            raise PeriodError(f"{shown(text)}: periods lie between {FIRST_YEAR} and {LAST_YEAR}")
        if match := _MONTH.fullmatch(text):
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise PeriodError(f"{shown(text)}: months run from 01 to 12")
            return cls.month(year, month)
        if match := _QUARTER.fullmatch(text):
            year, quarter = int(match[1]), int(match[2])
            start = date(year, 3 * quarter - 2, 1)
            return cls(PeriodKind.QUARTER, start, add_months(start, 3))
        if match := _YEAR.fullmatch(text):
            year = int(match[1])
            return cls(PeriodKind.YEAR, date(year, 1, 1), date(year + 1, 1, 1))
        raise PeriodError(f"{shown(text)} is not a period: write 2026-03, 2026-Q1 or 2026")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        return cls(PeriodKind.MONTH, start, add_months(start, 1))

    @classmethod
    def between(cls, first_day: date, last_day: date) -> Period:
        """A custom range, both days included."""
        if first_day.year < FIRST_YEAR or last_day.year > LAST_YEAR:
            raise PeriodError(f"a range lies between {FIRST_YEAR} and {LAST_YEAR}")
        if last_day < first_day:
            raise PeriodError(f"the range ends ({last_day}) before it starts ({first_day})")
        return cls(None, first_day, last_day + timedelta(days=1))

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind is PeriodKind.YEAR:
            return f"{self.start.year}"
        return f"{self.start.isoformat()}..{(self.end - timedelta(days=1)).isoformat()}"

    @property
    def is_whole_months(self) -> bool:
        return self.start.day == 1 and self.end.day == 1

    def previous(self) -> Period:
        """The period of the same kind and length just before this one."""
        if self.kind is PeriodKind.MONTH:
            start = add_months(self.start, -1)
            return Period(self.kind, start, self.start)
        if self.kind is PeriodKind.QUARTER:
            return Period(self.kind, add_months(self.start, -3), self.start)
        if self.kind is PeriodKind.YEAR:
            return Period(self.kind, date(self.start.year - 1, 1, 1), self.start)
        if self.is_whole_months:
            # Whole months stay whole months: Feb–Mar's previous is Dec–Jan, not 59 days.
            return Period(None, add_months(self.start, -len(self.months())), self.start)
        length = self.end - self.start
        return Period(None, self.start - length, self.start)

    def instants(self) -> tuple[datetime, datetime]:
        """The period as UTC instants: local midnight at both ends."""
        return (
            datetime.combine(self.start, time(), SHANGHAI).astimezone(UTC),
            datetime.combine(self.end, time(), SHANGHAI).astimezone(UTC),
        )

    def months(self) -> list[date]:
        """First days of the months the period covers (whole months only)."""
        found, cursor = [], self.start
        while cursor < self.end:
            found.append(cursor)
            cursor = add_months(cursor, 1)
        return found


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
