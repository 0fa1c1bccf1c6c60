"""Running one piece of command-line work against the configured database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import create_engine, create_sessionmaker
from hub.settings import Settings

__all__ = ["Sessionmaker", "with_database"]

Sessionmaker = async_sessionmaker[AsyncSession]


def with_database(settings: Settings, work: Callable[[Sessionmaker], Awaitable[str]]) -> str:
    """Run `work` with a sessionmaker on a fresh engine, disposed of after."""

    async def run() -> str:
        engine = create_engine(settings.database_url)
        try:
            return await work(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())
