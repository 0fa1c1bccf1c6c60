"""The migrated database is exactly what the models describe, on both databases."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from db import migrate
from db.base import Base
from tests.databases import DatabaseFactory


async def test_migrated_schema_matches_models(migrated_engine: AsyncEngine) -> None:
    assert await migrate.pending_differences(migrated_engine) == []


async def test_every_model_table_is_created(migrated_engine: AsyncEngine) -> None:
    async with migrated_engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert set(Base.metadata.tables) <= names
    assert "alembic_version" in names


async def test_downgrade_to_base_and_up_again(
    backend: str, database_factory: DatabaseFactory
) -> None:
    engine = await database_factory.create(backend)
    await migrate.downgrade(engine, "base")
    async with engine.connect() as connection:
        left = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert left & set(Base.metadata.tables) == set()
    await migrate.upgrade(engine)
    assert await migrate.pending_differences(engine) == []


async def test_an_empty_database_differs_from_the_models(
    backend: str, database_factory: DatabaseFactory
) -> None:
    engine = await database_factory.create(backend, migrated=False)
    differences = await migrate.pending_differences(engine)
    added = {diff[1].name for diff in differences if diff[0] == "add_table"}
    assert added == set(Base.metadata.tables)
