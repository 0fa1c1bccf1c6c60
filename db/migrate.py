"""Schema migrations (Alembic) run from code, on an async engine."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import db.models  # noqa: F401  (registers every table on the metadata)
from db.base import Base
from db.errors import StorageError
from db.search import outside_models

__all__ = [
    "SchemaBehindError",
    "ScriptUnavailableError",
    "alembic_config",
    "downgrade",
    "pending_differences",
    "require_current",
    "revision",
    "upgrade",
    "upgrade_script",
]


class SchemaBehindError(StorageError):
    """The database's schema is older than this version of the hub."""


class ScriptUnavailableError(StorageError):
    """A migration needs the live database (SQLite rebuilding a table), so its SQL
    cannot be printed ahead."""


MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, target: str = "head") -> None:
    """Bring the database up to `target` (the newest revision by default)."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), target))


async def upgrade_script(engine: AsyncEngine) -> str:
    """The SQL `upgrade` would run on `engine`'s database, from its current revision (or
    from nothing when it has none) to the newest, without running it."""

    def current(sync: Connection) -> str | None:
        return MigrationContext.configure(sync).get_current_revision()

    async with engine.connect() as connection:
        found = await connection.run_sync(current)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if found == head:
        return f"-- the database is at revision {head}, the newest: nothing to run\n"
    script = io.StringIO()
    config = alembic_config()
    config.output_buffer = script
    config.attributes["dialect"] = engine.dialect.name
    try:
        command.upgrade(config, f"{found}:head" if found else "head", sql=True)
    except CommandError:
        raise ScriptUnavailableError(
            f"a migration rebuilds a table on {engine.dialect.name}, which needs the live "
            "database, so its SQL cannot be printed ahead; back the database up "
            "(docs/operations.md) and run `wenming migrate` on it instead"
        ) from None
    return script.getvalue()


async def downgrade(engine: AsyncEngine, target: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), target))


async def revision(engine: AsyncEngine, message: str) -> None:
    """Write a new revision from the difference between the models and `engine`'s schema."""
    async with engine.begin() as connection:
        await connection.run_sync(
            lambda sync: command.revision(alembic_config(sync), message=message, autogenerate=True)
        )


async def pending_differences(engine: AsyncEngine) -> list[Any]:
    """What the models hold that the migrated database lacks (empty when they match)."""

    def compare(sync: Connection) -> list[Any]:
        context = MigrationContext.configure(
            sync, opts={"compare_type": True, "include_name": outside_models}
        )
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


async def require_current(engine: AsyncEngine) -> None:
    """Refuse (SchemaBehindError) a database not migrated to this version's schema."""

    def current(sync: Connection) -> str | None:
        return MigrationContext.configure(sync).get_current_revision()

    async with engine.connect() as connection:
        found = await connection.run_sync(current)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if found != head:
        raise SchemaBehindError(
            f"the database schema is at revision {found or 'none'} and this hub needs "
            f"{head}: run `wenming migrate` first"
        )
