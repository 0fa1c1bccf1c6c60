"""Bulk writes through Core, portable across SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Column, CursorResult, Dialect, Result, Table, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from db.base import Base

__all__ = ["delete_all", "insert_rows", "reset_sequences", "rows_affected", "upsert_rows"]


async def insert_rows(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """A plain bulk insert of rows that all name the same columns.

    Each column's bind processing runs once per distinct value object, not once per
    row: a batch stamps the same instant on every row, and converting it again and
    again was a third of the cost of inserting a registry's volunteers. Columns left
    out take their scalar defaults."""
    if not rows:
        return
    dialect = connection.dialect
    compiled = table.insert().inline().compile(dialect=dialect, column_keys=list(rows[0]))
    keys = compiled.positiontup or []
    plans = [_column_plan(table.c[key], key in rows[0], dialect) for key in keys]
    parameters = []
    for row in rows:
        values = []
        for key, (present, default, processor, memo) in zip(keys, plans, strict=True):
            value = row[key] if present else default
            if processor is not None:
                if value is not memo[0]:
                    memo[0], memo[1] = value, processor(value)
                value = memo[1]
            values.append(value)
        parameters.append(tuple(values))
    await connection.exec_driver_sql(compiled.string, parameters)


def _column_plan(
    column: Column[Any], present: bool, dialect: Dialect
) -> tuple[bool, Any, Callable[[Any], Any] | None, list[Any]]:
    default = None
    if not present:
        if not isinstance(column.default, ScalarElementColumnDefault):
            raise ValueError(f"{column} needs a value: its default is not a constant")
        default = column.default.arg
    sentinel = object()
    return present, default, column.type._cached_bind_processor(dialect), [sentinel, None]


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
