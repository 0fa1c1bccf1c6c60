"""The sync runner: crash and resume, rollback of the open batch, the lock, the counts."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import RawRecord, Stream
from connectors.sites.register import SiteRegisterConnector
from connectors.sync import SourceBusyError, SyncRunner
from db import models as m
from db.engine import create_sessionmaker
from tests.connectors.files import write_csv
from tests.connectors.test_site_register import HEADER
from tests.factories import add_division_tree

STATIONS = 2_500


class DiesMidway(SiteRegisterConnector):
    """The same register, but the read fails (as a disk or a network does) at one record."""

    def __init__(self, system: str, path: Path, after: int) -> None:
        super().__init__(system, path)
        self._after = after

    async def read(self, stream: Stream, cursor: str | None) -> AsyncIterator[RawRecord]:
        count = 0
        async for record in super().read(stream, cursor):
            count += 1
            if count > self._after:
                raise OSError("connection reset while reading the register")
            yield record


@pytest.fixture
async def register(engine: AsyncEngine, tmp_path: Path) -> Path:
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(add_division_tree())
    rows = [
        ["凯里市新时代文明实践中心", "中心", "", "522601", "是", "2019-01-01", "", "运行", ""],
        [
            "大十字街道新时代文明实践所",
            "实践所",
            "凯里市新时代文明实践中心",
            "522601001000",
            "否",
            "",
            "",
            "运行",
            "",
        ],
    ]
    rows += [
        [
            f"第{n}号实践站",
            "实践站",
            "大十字街道新时代文明实践所",
            "522601001001",
            "否",
            "",
            "",
            "运行",
            "",
        ]
        for n in range(STATIONS)
    ]
    return write_csv(tmp_path / "register.csv", HEADER, rows)


async def _count(engine: AsyncEngine, model: type[object]) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_failed_run_keeps_its_committed_batches_and_the_next_finishes(
    engine: AsyncEngine, register: Path
) -> None:
    runner = SyncRunner(engine, batch_size=1000)
    [failed] = await runner.sync(DiesMidway("kaili-register", register, after=1500))
    assert failed.status is m.SyncStatus.FAILED
    assert "connection reset" in (failed.error or "")
    assert failed.read == failed.inserted == 1000
    assert await _count(engine, m.Site) == 1000  # the open batch was rolled back whole
    [finished] = await runner.sync(SiteRegisterConnector("kaili-register", register))
    assert finished.status is m.SyncStatus.SUCCEEDED
    assert finished.read == finished.inserted == STATIONS + 2 - 1000
    assert finished.retired == 0
    assert await _count(engine, m.Site) == STATIONS + 2
    async with create_sessionmaker(engine)() as session:
        names = (await session.scalars(select(m.Site.name))).all()
        runs = (await session.scalars(select(m.SyncRun.status).order_by(m.SyncRun.id))).all()
    assert len(names) == len(set(names))
    assert runs == [m.SyncStatus.FAILED, m.SyncStatus.SUCCEEDED]
    [again] = await runner.sync(SiteRegisterConnector("kaili-register", register))
    assert (again.read, again.unchanged, again.inserted) == (STATIONS + 2, STATIONS + 2, 0)


async def test_counts_add_up_on_every_recorded_run(engine: AsyncEngine, register: Path) -> None:
    await SyncRunner(engine, batch_size=700).sync(SiteRegisterConnector("kaili-register", register))
    async with create_sessionmaker(engine)() as session:
        run = (await session.scalars(select(m.SyncRun))).one()
    assert (
        run.records_read
        == run.inserted + run.updated + run.unchanged + run.quarantined
        == STATIONS + 2
    )
    assert run.finished_at is not None


async def test_a_second_sync_of_the_same_source_is_refused(
    engine: AsyncEngine, register: Path
) -> None:
    now = datetime.now(UTC)
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add(
            m.SyncLock(
                source="kaili-register",
                holder="other-host:4242",
                acquired_at=now,
                expires_at=now + timedelta(minutes=5),
            )
        )
    with pytest.raises(SourceBusyError, match="being synced by other-host:4242"):
        await SyncRunner(engine).sync(SiteRegisterConnector("kaili-register", register))
    assert await _count(engine, m.Site) == 0


async def test_a_lapsed_lock_is_taken_over_and_released(
    engine: AsyncEngine, register: Path
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add(
            m.SyncLock(
                source="kaili-register",
                holder="dead-host:1",
                acquired_at=long_ago,
                expires_at=long_ago + timedelta(minutes=10),
            )
        )
    [result] = await SyncRunner(engine).sync(SiteRegisterConnector("kaili-register", register))
    assert result.status is m.SyncStatus.SUCCEEDED
    assert await _count(engine, m.SyncLock) == 0


async def test_a_sync_refreshes_the_rollup(engine: AsyncEngine, register: Path) -> None:
    await SyncRunner(engine).sync(SiteRegisterConnector("kaili-register", register))
    async with engine.connect() as connection:
        stations = (
            await connection.execute(
                select(func.sum(m.RollupValue.numerator)).where(
                    m.RollupValue.metric == "station_coverage"
                )
            )
        ).scalar_one()
    assert stations == 1  # one village, covered


async def test_postgresql_statistics_follow_a_table_the_sync_grows(
    engine: AsyncEngine, register: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("statistics are refreshed on PostgreSQL only; SQLite plans without them")
    runner = SyncRunner(engine, batch_size=500, analyze_after=1000)
    await runner.sync(SiteRegisterConnector("kaili-register", register))
    async with engine.connect() as connection:
        estimate = (
            await connection.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE relname = 'sites'"
            )
        ).scalar_one()
    # Analyzed at 1,000 and 2,000 sites inserted: the planner knows the table is not empty.
    assert estimate == 2000


async def test_the_collector_is_held_back_only_while_syncing(
    engine: AsyncEngine, register: Path
) -> None:
    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []
    await SyncRunner(engine, batch_size=1000).sync(
        SiteRegisterConnector("kaili-register", register),
        progress=lambda _stream, _read: during.append(gc.get_threshold()),
    )
    assert len(during) == 3  # after each of the three batches
    assert all(threshold[0] >= 10_000 for threshold in during)
    assert gc.get_threshold() == before
