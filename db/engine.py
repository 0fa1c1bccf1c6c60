"""Async engines for the two databases we support: SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from db.deadline import install_sqlite_interrupts
from db.errors import StorageError

__all__ = ["UnsupportedDatabaseError", "create_engine", "create_sessionmaker"]

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


class UnsupportedDatabaseError(StorageError):
    """The database URL names a driver the hub does not run on."""

    def __init__(self, url: str) -> None:
        drivername = make_url(url).drivername
        super().__init__(
            f"database URL uses {drivername!r}; the hub runs on "
            f"{' or '.join(SUPPORTED_DRIVERS)} (e.g. sqlite+aiosqlite:///wenming.sqlite3)"
        )


# A database that does not answer a connection within this is treated as down.
CONNECT_TIMEOUT = 5.0


def create_engine(
    url: str,
    *,
    echo: bool = False,
    statement_timeout: float | None = None,
    single_reads: bool = False,
) -> AsyncEngine:
    """An engine for `url`; SQLite connections get WAL, foreign keys and a busy timeout,
    and every statement can be interrupted at its request's deadline (`db.deadline`).
    `statement_timeout` (seconds) bounds each PostgreSQL statement on the server.

    `single_reads`: an engine for requests that are one read-only statement (the
    compiled read path), one round trip each: autocommit (no BEGIN, no ROLLBACK), no
    ping at checkout (a connection the server dropped fails that one request, whose
    caller falls back, and the pool drops every connection as old), plans PostgreSQL
    may keep."""
    drivername = make_url(url).drivername
    if drivername not in SUPPORTED_DRIVERS:
        raise UnsupportedDatabaseError(url)
    options: dict[str, Any] = {"echo": echo}
    if single_reads:
        options |= {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}
    if drivername.startswith("postgresql"):
        options["pool_pre_ping"] = not single_reads
        # asyncpg prepares and reuses statements; a generic plan chosen while a table was
        # still small (a sequential scan) would stay as a bulk load grows it. Plan each run.
        server_settings = {"plan_cache_mode": "auto" if single_reads else "force_custom_plan"}
        if statement_timeout is not None:
            server_settings["statement_timeout"] = str(int(statement_timeout * 1000))
        options["connect_args"] = {"server_settings": server_settings, "timeout": CONNECT_TIMEOUT}
        options["pool_timeout"] = CONNECT_TIMEOUT
    engine = create_async_engine(url, **options)
    if drivername.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        install_sqlite_interrupts(engine)
    return engine


def _urlsafe_b64(text: str | None) -> str | None:
    """PostgreSQL's encode(…, 'base64') in the URL-safe alphabet: the compiled read
    path (resolvers.compiled) writes global ids and cursors with it in SQL."""
    return None if text is None else base64.urlsafe_b64encode(text.encode()).decode()


def _configure_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.create_function("urlsafe_b64", 1, _urlsafe_b64, deterministic=True)
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets readers run beside a sync's writes; SQLite leaves FK checks off by default.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A registry's person keys are hashes, so every batch of volunteers touches pages
        # all over their index, and each commit appends those pages to the WAL again.
        # With SQLite's 2 MiB cache and a checkpoint every 4 MiB of WAL, loading half a
        # million volunteers copied that index back dozens of times; with a 64 MiB cache
        # and a checkpoint every 120 MiB, the load's inserts take a third less time.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA wal_autocheckpoint=30000")
    finally:
        cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
