"""Calendar buckets in SQL, in Asia/Shanghai, on both databases.

Instants are stored in UTC; a month, quarter or year of county data begins at local
midnight. China keeps no daylight-saving time, so SQLite can shift by a fixed 8 hours
where PostgreSQL names the zone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

__all__ = ["bucket_start", "minutes_between", "year_start"]

_UNITS = ("month", "quarter", "year")


class bucket_start(FunctionElement[Any]):
    """First day of the month, quarter or year holding a date or a UTC instant."""

    type = Date()
    inherit_cache = True
    name = "bucket_start"
    # The unit and whether the value is an instant change the SQL, so they must be part
    # of the cache key; otherwise a statement compiled for months is reused for quarters.
    _traverse_internals = [  # noqa: RUF012  (SQLAlchemy declares it as an attribute)
        *FunctionElement._traverse_internals,
        ("unit", InternalTraversal.dp_string),
        ("instant", InternalTraversal.dp_boolean),
    ]

    def __init__(self, value: Any, unit: str, *, instant: bool) -> None:
        if unit not in _UNITS:
            raise ValueError(f"unit must be one of {_UNITS}")
        self.unit = unit
        self.instant = instant
        super().__init__(value)


@compiles(bucket_start, "postgresql")
def _postgresql(element: bucket_start, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    local = f"({value} AT TIME ZONE 'Asia/Shanghai')" if element.instant else value
    return f"CAST(date_trunc('{element.unit}', {local}) AS DATE)"


@compiles(bucket_start, "sqlite")
def _sqlite(element: bucket_start, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    local = f"datetime({value}, '+8 hours')" if element.instant else value
    if element.unit == "year":
        return f"date({local}, 'start of year')"
    if element.unit == "month":
        return f"date({local}, 'start of month')"
    return (
        f"date({local}, 'start of month', "
        f"'-' || ((CAST(strftime('%m', {local}) AS INTEGER) - 1) % 3) || ' months')"
    )


class year_start(FunctionElement[Any]):
    """1 January of a year held as a number."""

    type = Date()
    inherit_cache = True
    name = "year_start"


@compiles(year_start, "postgresql")
def _year_postgresql(element: year_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"make_date({compiler.process(element.clauses, **kw)}, 1, 1)"


@compiles(year_start, "sqlite")
def _year_sqlite(element: year_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date(printf('%04d-01-01', {compiler.process(element.clauses, **kw)}))"


class minutes_between(FunctionElement[Any]):
    """Whole minutes from the first instant to the second."""

    type = Integer()
    inherit_cache = True
    name = "minutes_between"


@compiles(minutes_between, "postgresql")
def _minutes_postgresql(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({second} - {first})) / 60 AS INTEGER)"


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND((julianday({second}) - julianday({first})) * 1440) AS INTEGER)"
