"""Bulk writes through Core, portable across SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

import asyncpg
from sqlalchemy import (
    Column,
    CursorResult,
    Dialect,
    Result,
    Table,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from db.base import Base

__all__ = [
    "delete_all",
    "insert_rows",
    "reset_sequences",
    "rows_affected",
    "rows_where_in",
    "upsert_rows",
]


async def insert_rows(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """A plain bulk insert of rows that all name the same columns.

    SQLAlchemy's per-row parameter handling is skipped: a batch stamps the same instant
    on every row and registers volunteers on a few hundred days, and converting those
    values again and again was a third of the cost of inserting a registry's
    volunteers. Columns left out take their scalar defaults."""
    if not rows:
        return
    dialect = connection.dialect
    present = rows[0].keys()
    compiled = table.insert().inline().compile(dialect=dialect, column_keys=list(present))
    keys = compiled.positiontup or []
    missing = [key for key in keys if key not in present]
    if missing:
        # Columns left out take their constant defaults.
        defaults = {key: _constant_default(table.c[key]) for key in missing}
        rows = [{**defaults, **row} for row in rows]
    # A row's values are picked out in one call; only columns whose type converts values
    # (dates, enums) are touched again, and each distinct value is converted once.
    pick = itemgetter(*keys)
    converting: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (index, processor, {})
        for index, key in enumerate(keys)
        if (processor := table.c[key].type._cached_bind_processor(dialect)) is not None
    ]
    parameters: list[tuple[Any, ...]] = []
    single = len(keys) == 1  # itemgetter of one key gives the value, not a tuple
    for row in rows:
        values = pick(row)
        if single:
            values = (values,)
        if converting:
            values = list(values)
            for index, convert, converted in converting:
                value = values[index]
                try:
                    values[index] = converted[value]
                except KeyError:
                    values[index] = converted[value] = convert(value)
                except TypeError:  # a list or a dict for a JSON column
                    values[index] = convert(value)
            values = tuple(values)
        parameters.append(values)
    if dialect.name == "postgresql" and len(parameters) >= _COPY_FROM:
        # COPY: an INSERT per row cost PostgreSQL five times as much, server side.
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        try:
            await driver.copy_records_to_table(table.name, records=parameters, columns=list(keys))
        except asyncpg.IntegrityConstraintViolationError as error:
            # Past SQLAlchemy, so raised as it would raise it: a refused write is one error.
            raise IntegrityError(f"COPY {table.name}", None, error) from error
        return
    await connection.exec_driver_sql(compiled.string, parameters)


# Fewer rows are inserted with INSERT: COPY's own round trips cost more than it saves.
_COPY_FROM = 50


def _constant_default(column: Column[Any]) -> Any:
    if not isinstance(column.default, ScalarElementColumnDefault):
        raise ValueError(f"{column} needs a value: its default is not a constant")
    return column.default.arg


async def rows_where_in(
    connection: AsyncConnection,
    table: Table,
    columns: Sequence[str],
    key: str,
    values: Sequence[Any],
    where: Mapping[str, Any],
) -> list[tuple[Any, ...]]:
    """`columns` of the rows whose `key` is one of `values` and whose `where` columns hold
    the values given, looked up 500 values a statement.

    The statement is compiled once per shape: building SQLAlchemy's IN list took
    longer, value for value, than SQLite took to find the rows."""
    found: list[tuple[Any, ...]] = []
    fixed = list(where.values())
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start : start + _IN_CHUNK]
        statement = _where_in(
            connection.dialect, table, tuple(columns), key, tuple(where), len(chunk)
        )
        result = await connection.exec_driver_sql(statement, (*fixed, *chunk))
        found.extend(tuple(row) for row in result.all())
    return found


_IN_CHUNK = 500


@lru_cache(maxsize=256)
def _where_in(
    dialect: Dialect,
    table: Table,
    columns: tuple[str, ...],
    key: str,
    where: tuple[str, ...],
    size: int,
) -> str:
    conditions = [table.c[name] == bindparam(f"w_{name}") for name in where]
    keys: list[BindParameter[Any]] = [bindparam(f"k_{index}") for index in range(size)]
    statement = select(*(table.c[name] for name in columns)).where(
        *conditions, table.c[key].in_(keys)
    )
    compiled = statement.compile(dialect=dialect)
    expected = [f"w_{name}" for name in where] + [f"k_{index}" for index in range(size)]
    # The values are passed by position: the compiled order must be the one they come in.
    assert list(compiled.positiontup or []) == expected, compiled.positiontup
    return compiled.string


async def upsert_rows(
    connection: AsyncConnection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
) -> None:
    """Insert rows, or update every non-key column where `key` already exists."""
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    updates = {column: statement.excluded[column] for column in rows[0] if column not in key}
    await connection.execute(
        statement.on_conflict_do_update(index_elements=list(key), set_=updates), list(rows)
    )


async def reset_sequences(connection: AsyncConnection, tables: Iterable[Table]) -> None:
    """After rows were written with explicit ids, make PostgreSQL's sequences follow them."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c or not table.c.id.autoincrement:
            continue
        highest = (await connection.execute(select(func.max(table.c.id)))).scalar_one()
        if highest is not None:
            await connection.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
                {"table": table.name, "value": highest},
            )


async def delete_all(engine: AsyncEngine) -> None:
    """Empty every table of the hub (ids start again from 1 on PostgreSQL)."""
    tables = Base.metadata.sorted_tables
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            await connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            return
        # Self-referencing rows (divisions, sites, teams) would fail SQLite's row-by-row
        # checks mid-delete; checking at commit sees the finished, consistent state.
        await connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        for table in reversed(tables):
            await connection.execute(table.delete())


def rows_affected(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (0 where the driver cannot tell)."""
    return max(result.rowcount, 0) if isinstance(result, CursorResult) else 0
