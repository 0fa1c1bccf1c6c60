"""`wenming migrate --sql`: the script a database administrator reviews is the schema
the hub migrates to, and it runs nothing."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db import migrate
from hub.cli import main
from tests.databases import DatabaseFactory, require_postgres


@pytest.fixture
async def empty_postgres(database_factory: DatabaseFactory) -> AsyncEngine:
    await require_postgres()
    return await database_factory.create("postgresql", migrated=False)


async def _wenming(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setenv("WENMING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return await asyncio.to_thread(main, list(argv))


@pytest.mark.postgres
async def test_the_printed_script_builds_the_schema_the_hub_migrates_to(
    empty_postgres: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await _wenming(empty_postgres, monkeypatch, "migrate", "--sql") == 0
    script = capsys.readouterr().out
    assert script.startswith("BEGIN;")
    assert "CREATE TABLE quarantined_records" in script
    # Nothing ran: the database is still empty.
    with pytest.raises(migrate.SchemaBehindError, match="revision none"):
        await migrate.require_current(empty_postgres)
    # What the administrator runs by hand (psql -f) is the schema of `wenming migrate`.
    dsn = empty_postgres.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(script)
    finally:
        await connection.close()
    await migrate.require_current(empty_postgres)
    assert await migrate.pending_differences(empty_postgres) == []
    assert await _wenming(empty_postgres, monkeypatch, "migrate", "--sql") == 0
    assert "nothing to run" in capsys.readouterr().out


async def test_sqlite_migrations_that_rebuild_tables_say_why_there_is_no_script(
    database_factory: DatabaseFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = await database_factory.create("sqlite", migrated=False)
    assert await _wenming(engine, monkeypatch, "migrate", "--sql") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("wenming: a migration rebuilds a table on sqlite")
    assert not any("Traceback" in line for line in err)
