"""A source's lock: taken over at once from a process that is gone, never from one that
runs; the runs a dead process left `running` end `abandoned`; two runners racing for a
free lock get a clean refusal, never a constraint error."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.holders import holder_is_gone, this_holder
from connectors.sites.register import SiteRegisterConnector
from connectors.sync import SourceBusyError, SyncRunner
from db import models as m
from db.engine import create_sessionmaker
from tests.connectors.test_sync_runner import register

__all__ = ["register"]  # the fixture, used by name

SOURCE = "kaili-register"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


async def _held_by(engine: AsyncEngine, holder: str) -> int:
    """A lock of `holder`, unexpired, and the run it left `running`; the run's id."""
    now = datetime.now(UTC)
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add(
            m.SyncLock(
                source=SOURCE, holder=holder, acquired_at=now, expires_at=now + timedelta(hours=1)
            )
        )
        run = m.SyncRun(
            source=SOURCE,
            stream="sites",
            status=m.SyncStatus.RUNNING,
            started_at=now,
            records_read=0,
            inserted=0,
            updated=0,
            unchanged=0,
            quarantined=0,
            retired=0,
        )
        session.add(run)
        await session.flush()
        return run.id


async def _status(engine: AsyncEngine, run_id: int) -> m.SyncStatus:
    async with create_sessionmaker(engine)() as session:
        run = await session.get(m.SyncRun, run_id)
        assert run is not None
        return run.status


def test_a_holder_is_gone_only_when_its_process_is() -> None:
    host = socket.gethostname()
    assert not holder_is_gone(this_holder())
    assert holder_is_gone(f"{host}:{_dead_pid()}:1")
    assert not holder_is_gone(f"elsewhere:{_dead_pid()}:1")
    # A live pid that started at another time is a later process using the number.
    assert holder_is_gone(this_holder().rsplit(":", 1)[0] + ":1")


async def test_a_lock_whose_process_died_is_taken_over_at_once(
    engine: AsyncEngine, register: Path
) -> None:
    left = await _held_by(engine, f"{socket.gethostname()}:{_dead_pid()}:1")
    [result] = await SyncRunner(engine).sync(SiteRegisterConnector(SOURCE, register))
    assert result.status is m.SyncStatus.SUCCEEDED
    assert await _status(engine, left) is m.SyncStatus.ABANDONED
    async with create_sessionmaker(engine)() as session:
        running = (
            await session.scalars(
                select(m.SyncRun.id).where(m.SyncRun.status == m.SyncStatus.RUNNING)
            )
        ).all()
    assert running == []


@pytest.mark.parametrize("where", ["this host", "another host"])
async def test_a_lock_whose_holder_runs_is_respected(
    engine: AsyncEngine, register: Path, where: str
) -> None:
    alive = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import time; time.sleep(30)"
    )
    try:
        host = socket.gethostname() if where == "this host" else "another-host"
        left = await _held_by(engine, f"{host}:{alive.pid}:0")
        with pytest.raises(SourceBusyError):
            await SyncRunner(engine).sync(SiteRegisterConnector(SOURCE, register))
        assert await _status(engine, left) is m.SyncStatus.RUNNING
    finally:
        alive.kill()
        await alive.wait()


async def test_a_lapsed_lock_abandons_the_runs_it_left(engine: AsyncEngine, register: Path) -> None:
    left = await _held_by(engine, "another-host:1:0")
    async with create_sessionmaker(engine)() as session, session.begin():
        lock = await session.get(m.SyncLock, SOURCE)
        assert lock is not None
        lock.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    [result] = await SyncRunner(engine).sync(SiteRegisterConnector(SOURCE, register))
    assert result.status is m.SyncStatus.SUCCEEDED
    assert await _status(engine, left) is m.SyncStatus.ABANDONED


async def test_runners_racing_for_a_free_lock_are_refused_cleanly(
    engine: AsyncEngine, register: Path
) -> None:
    for _ in range(5):
        runners = [SyncRunner(engine) for _ in range(2)]
        for runner in runners:
            runner._holder = f"{runner._holder}:{id(runner)}"  # two processes, as it were
        outcomes = await asyncio.gather(
            *(runner.sync(SiteRegisterConnector(SOURCE, register)) for runner in runners),
            return_exceptions=True,
        )
        refused = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        assert all(isinstance(outcome, SourceBusyError) for outcome in refused), refused
        assert len(refused) <= 1


async def test_unlock_releases_a_lock_held_elsewhere(engine: AsyncEngine, register: Path) -> None:
    left = await _held_by(engine, "another-host:4242:77")
    runner = SyncRunner(engine)
    assert await runner.unlock(SOURCE) == "another-host:4242:77"
    assert await runner.unlock(SOURCE) is None
    assert await _status(engine, left) is m.SyncStatus.ABANDONED
    [result] = await runner.sync(SiteRegisterConnector(SOURCE, register))
    assert result.status is m.SyncStatus.SUCCEEDED
