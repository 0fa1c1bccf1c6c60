"""Date and DateTime as the hub reads them: ISO 8601 within the years a county's records
can hold, and instants only with their offset, so that no input overflows a conversion
or a column further down."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition

from resolvers.common import shown

__all__ = ["FIRST_YEAR", "LAST_YEAR", "SCALARS"]

FIRST_YEAR = 1900
LAST_YEAR = 2199


def _parse_date(value: object) -> date:
    text = _text(value, "Date", "2026-03-01")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise StrawberryInputCoercionError(
            f"{shown(text)} is not a Date: write YYYY-MM-DD, e.g. 2026-03-01"
        ) from None
    _check_year(day.year, text)
    return day


def _parse_datetime(value: object) -> datetime:
    text = _text(value, "DateTime", "2026-03-01T09:30:00+08:00")
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise StrawberryInputCoercionError(
            f"{shown(text)} is not a DateTime: write e.g. 2026-03-01T09:30:00+08:00"
        ) from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise StrawberryInputCoercionError(
            f"{shown(text)} has no offset: an instant needs one, e.g. +08:00 for Beijing time"
        )
    _check_year(instant.year, text)
    _check_year(instant.astimezone(UTC).year, text)
    return instant


def _text(value: object, kind: str, example: str) -> str:
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(f"a {kind} is written as a string, e.g. {example!r}")
    return value


def _check_year(year: int, text: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise StrawberryInputCoercionError(
            f"{shown(text)} lies outside the years {FIRST_YEAR}–{LAST_YEAR}"
        )


def _isoformat(value: date) -> str:
    return value.isoformat()


def _definition(name: str, description: str, parse: Callable[[object], object]) -> ScalarDefinition:
    return ScalarDefinition(
        name=name,
        description=description,
        specified_by_url=None,
        serialize=_isoformat,
        parse_value=parse,
        parse_literal=None,
    )


SCALARS: dict[object, ScalarDefinition] = {
    date: _definition(
        "Date", f"A day, ISO 8601 (2026-03-01), years {FIRST_YEAR}–{LAST_YEAR}.", _parse_date
    ),
    datetime: _definition(
        "DateTime",
        "An instant, ISO 8601 with its offset (2026-03-01T09:30:00+08:00).",
        _parse_datetime,
    ),
}
