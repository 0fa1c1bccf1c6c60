"""Fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.bulk import delete_all
from db.pii import PersonalDataCipher
from demo.generator import DemoOptions
from demo.load import load_demo
from tests.databases import BACKENDS, TEST_SECRET, DatabaseFactory, require_postgres
from tests.graphql import GraphQL

DEMO_TEST_SCALE = 0.001


@pytest.fixture(scope="session")
async def database_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    await factory.close()


@pytest.fixture(scope="session", params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql":
        await require_postgres()
    return name


@pytest.fixture(scope="session")
async def migrated_engine(backend: str, database_factory: DatabaseFactory) -> AsyncEngine:
    return await database_factory.create(backend)


@pytest.fixture
async def engine(migrated_engine: AsyncEngine) -> AsyncEngine:
    """A migrated, empty database for one test."""
    await delete_all(migrated_engine)
    return migrated_engine


@pytest.fixture(scope="session")
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(TEST_SECRET)


@pytest.fixture(scope="session")
def demo_options() -> DemoOptions:
    return DemoOptions(scale=DEMO_TEST_SCALE)


@pytest.fixture(scope="session")
async def demo_engine(
    backend: str,
    database_factory: DatabaseFactory,
    cipher: PersonalDataCipher,
    demo_options: DemoOptions,
) -> AsyncEngine:
    """A database holding the demo at a small scale; tests only read it."""
    engine = await database_factory.create(backend)
    await load_demo(engine, cipher, demo_options)
    return engine


@pytest.fixture(scope="session")
def shared_divisions() -> Path:
    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "divisions"
    if not path.exists():
        pytest.skip(f"the shared division codes are not beside the project ({path})")
    return path


@pytest.fixture
def graphql(demo_engine: AsyncEngine) -> GraphQL:
    """GraphQL over HTTP against the demo database."""
    return GraphQL(demo_engine)
