"""Bulk writes through Core, portable across SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import CursorResult, Result, Table, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.base import Base

__all__ = ["delete_all", "insert_rows", "reset_sequences", "rows_affected", "upsert_rows"]


async def insert_rows(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    if rows:
        await connection.execute(table.insert(), list(rows))


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
