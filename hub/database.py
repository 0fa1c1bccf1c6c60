"""Running one piece of command-line work against the configured database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import create_engine, create_sessionmaker
from db.faults import missing_sqlite_file
from hub.settings import HubError, Settings

__all__ = ["NoDatabaseError", "Sessionmaker", "require_database", "with_database"]

Sessionmaker = async_sessionmaker[AsyncSession]


class NoDatabaseError(HubError):
    """A command that reads the hub's data was pointed at a SQLite file that is not there
    (opening it would make an empty one)."""


def require_database(settings: Settings) -> None:
    missing = missing_sqlite_file(settings.database_url)
    if missing is not None:
        raise NoDatabaseError(
            f"there is no database at {missing}: run `wenming demo` for the demo data, or "
            "`wenming migrate` for an empty hub, or set WENMING_DATABASE_URL"
        )


def with_database(settings: Settings, work: Callable[[Sessionmaker], Awaitable[str]]) -> str:
    """Run `work` with a sessionmaker on a fresh engine, disposed of after."""
    require_database(settings)

    async def run() -> str:
        engine = create_engine(settings.database_url)
        try:
            return await work(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())
