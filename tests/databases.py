"""Fresh, migrated test databases on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from db import migrate
from db.engine import create_engine

__all__ = [
    "BACKENDS",
    "TEST_SECRET",
    "DatabaseFactory",
    "postgres_available",
    "postgres_url",
    "require_postgres",
]

BACKENDS = ("sqlite", "postgresql")
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TEST_SECRET = "wenming-test-secret-0123456789"


def postgres_url() -> str:
    return os.environ.get("WENMING_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


async def postgres_available() -> bool:
    url = make_url(postgres_url())
    try:
        connection = await asyncpg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            database=url.database,
            timeout=3,
        )
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def require_postgres() -> None:
    """Skip the test when no PostgreSQL answers, or fail it where CI requires one."""
    if await postgres_available():
        return
    if os.environ.get("WENMING_TEST_POSTGRES_REQUIRED"):
        pytest.fail("PostgreSQL is required (WENMING_TEST_POSTGRES_REQUIRED) but does not answer")
    pytest.skip("PostgreSQL does not answer; set WENMING_TEST_POSTGRES_URL to run these tests")


class DatabaseFactory:
    """Creates throw-away databases (a SQLite file, or a PostgreSQL database of its own
    so that concurrent runs never meet) and removes them at the end of the session."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._engines: list[AsyncEngine] = []
        self._postgres_databases: list[str] = []

    async def create(self, backend: str, *, migrated: bool = True) -> AsyncEngine:
        name = f"wenming_test_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            engine = create_engine(f"sqlite+aiosqlite:///{self._directory / name}.sqlite3")
        else:
            await self._admin(f'CREATE DATABASE "{name}"')
            self._postgres_databases.append(name)
            engine = create_engine(
                make_url(postgres_url()).set(database=name).render_as_string(False)
            )
        self._engines.append(engine)
        if migrated:
            await migrate.upgrade(engine)
        return engine

    async def close(self) -> None:
        for engine in self._engines:
            await engine.dispose()
        for name in self._postgres_databases:
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @staticmethod
    async def _admin(statement: str) -> None:
        url = make_url(postgres_url())
        connection = await asyncpg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            database=url.database,
        )
        try:
            await connection.execute(statement)
        finally:
            await connection.close()
