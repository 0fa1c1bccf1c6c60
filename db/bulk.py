"""Bulk writes through Core, portable across SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, CursorResult, Result, Table, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from db.base import Base

__all__ = ["delete_all", "insert_rows", "reset_sequences", "rows_affected", "upsert_rows"]


async def insert_rows(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """A plain bulk insert of rows that all name the same columns.

    SQLAlchemy's per-row parameter handling is skipped: a batch stamps the same instant
    on every row, and converting it again and again was a third of the cost of inserting
    a registry's volunteers. Columns left out take their scalar defaults."""
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
    # (dates, enums) are touched again, and a value repeated row after row is converted once.
    pick = itemgetter(*keys)
    converting = [
        (index, processor, [_UNSEEN, None])
        for index, key in enumerate(keys)
        if (processor := table.c[key].type._cached_bind_processor(dialect)) is not None
    ]
    parameters: list[tuple[Any, ...]] = []
    for row in rows:
        values = pick(row)
        if len(keys) == 1:
            values = (values,)
        if converting:
            values = list(values)
            for index, processor, memo in converting:
                value = values[index]
                if value is not memo[0]:
                    memo[0], memo[1] = value, processor(value)
                values[index] = memo[1]
            values = tuple(values)
        parameters.append(values)
    await connection.exec_driver_sql(compiled.string, parameters)


_UNSEEN = object()


def _constant_default(column: Column[Any]) -> Any:
    if not isinstance(column.default, ScalarElementColumnDefault):
        raise ValueError(f"{column} needs a value: its default is not a constant")
    return column.default.arg


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
