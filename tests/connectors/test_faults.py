"""Real signals at chosen moments of a real `wenming sync`: SIGTERM stops it at a batch
boundary (run `interrupted`, lock released), SIGKILL leaves nothing a next run cannot
take over at once, and no mapping process outlives its sync. Afterwards the counts hold:
every volunteer once, the rollup equal to what is stored."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from db.engine import create_sessionmaker
from db.rollup import rollup_owed
from tests.connectors.files import write_csv
from tests.connectors.test_registry import TEAM_HEADER, TEAMS, VOLUNTEER_HEADER, county
from tests.connectors.test_snapshot_integrity import _volunteers
from tests.databases import TEST_SECRET

__all__ = ["county"]  # the fixture, used by name

PEOPLE = 24_000
SOURCE = "registry"


def _sources(directory: Path) -> Path:
    teams = write_csv(directory / "teams.csv", TEAM_HEADER, TEAMS)
    volunteers = write_csv(directory / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(PEOPLE))
    path = directory / "wenming.toml"
    path.write_text(
        f'[[source]]\nname = "{SOURCE}"\nkind = "registry_export"\ncounty = "522601"\n'
        f'teams = "{teams}"\nvolunteers = "{volunteers}"\n',
        encoding="utf-8",
    )
    return path


async def _start(engine: AsyncEngine, sources: Path) -> asyncio.subprocess.Process:
    # Output goes to a file: a pipe would keep `wait()` waiting on any process that
    # inherited it, which is not what these tests ask about.
    environment = {
        **os.environ,
        "WENMING_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "WENMING_SECRET_KEY": TEST_SECRET,
        "WENMING_SOURCES_FILE": str(sources),
    }
    return await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("wenming")),
        "sync",
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=(sources.parent / "sync.log").open("ab"),
    )


async def _volunteers_committed(engine: AsyncEngine) -> int:
    async with create_sessionmaker(engine)() as session:
        read = await session.scalar(
            select(func.max(m.SyncRun.records_read)).where(
                m.SyncRun.stream == "volunteers", m.SyncRun.status == m.SyncStatus.RUNNING
            )
        )
    return int(read or 0)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


async def _when_midway(engine: AsyncEngine, sync: asyncio.subprocess.Process) -> list[int]:
    """Wait until a batch of volunteers is committed and the mapping process runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if sync.returncode is not None:
            pytest.fail("the sync ended before the moment to stop it")
        children = _children(sync.pid)
        if await _volunteers_committed(engine) > 0 and children:
            return children
        await asyncio.sleep(0.05)
    pytest.fail("the sync never reached its second batch")


def _command_lines(pids: list[int]) -> list[bytes]:
    return [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in pids if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


async def _gone(pids: list[int]) -> bool:
    for _ in range(100):
        if not any(_alive(pid) for pid in pids):
            return True
        await asyncio.sleep(0.1)
    return False


async def _invariants(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as session:
        volunteers = await session.scalar(select(func.count()).select_from(m.Volunteer))
        distinct = await session.scalar(
            select(func.count(m.Volunteer.person_key.distinct())).select_from(m.Volunteer)
        )
        rolled = await session.scalar(
            select(func.sum(m.RollupValue.numerator)).where(
                m.RollupValue.metric == "registered_volunteers",
                m.RollupValue.period_kind == m.PeriodKind.MONTH,
            )
        )
        locks = await session.scalar(select(func.count()).select_from(m.SyncLock))
        running = await session.scalar(
            select(func.count())
            .select_from(m.SyncRun)
            .where(m.SyncRun.status == m.SyncStatus.RUNNING)
        )
        runs = (await session.scalars(select(m.SyncRun))).all()
    assert volunteers == distinct == PEOPLE
    assert rolled == PEOPLE
    assert (locks, running) == (0, 0)
    for run in runs:
        assert run.records_read >= run.inserted + run.updated + run.unchanged + run.quarantined


async def _statuses(engine: AsyncEngine) -> list[m.SyncStatus]:
    async with create_sessionmaker(engine)() as session:
        return list(
            await session.scalars(
                select(m.SyncRun.status)
                .where(m.SyncRun.stream == "volunteers")
                .order_by(m.SyncRun.id)
            )
        )


async def test_sigterm_stops_at_a_batch_boundary_and_the_next_run_goes_on(
    county: AsyncEngine, tmp_path: Path
) -> None:
    sources = _sources(tmp_path)
    sync = await _start(county, sources)
    children = await _when_midway(county, sync)
    sync.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(sync.wait(), 60) == 1
    assert await _gone(children)
    assert await _statuses(county) == [m.SyncStatus.INTERRUPTED]
    again = await _start(county, sources)
    assert await asyncio.wait_for(again.wait(), 120) == 0
    assert await _statuses(county) == [m.SyncStatus.INTERRUPTED, m.SyncStatus.SUCCEEDED]
    await _invariants(county)


async def test_after_sigkill_no_process_lingers_and_the_next_run_takes_over_at_once(
    county: AsyncEngine, tmp_path: Path
) -> None:
    sources = _sources(tmp_path)
    sync = await _start(county, sources)
    children = await _when_midway(county, sync)
    sync.kill()
    await sync.wait()
    assert await _gone(children), _command_lines(children)
    again = await _start(county, sources)
    assert await asyncio.wait_for(again.wait(), 120) == 0, (tmp_path / "sync.log").read_text()
    assert await _statuses(county) == [m.SyncStatus.ABANDONED, m.SyncStatus.SUCCEEDED]
    await _invariants(county)


async def _stopped_once_succeeded(engine: AsyncEngine, sync: asyncio.subprocess.Process) -> bool:
    """Freeze the sync (SIGSTOP) the moment its volunteers run is marked succeeded; False
    if it ended before that could be seen."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sync.returncode is None:
        if m.SyncStatus.SUCCEEDED in await _statuses(engine):
            sync.send_signal(signal.SIGSTOP)
            return True
        await asyncio.sleep(0.005)
    return False


async def test_sigkill_between_the_last_commit_and_the_refresh_is_repaired(
    county: AsyncEngine, tmp_path: Path
) -> None:
    """A real kill in the rollup window: the runs succeeded and the rows are stored, the
    rollup is not rebuilt. The next run, with nothing to change, rebuilds it."""
    sources = _sources(tmp_path)
    sync = await _start(county, sources)
    if not await _stopped_once_succeeded(county, sync) or not await rollup_owed(county):
        sync.send_signal(signal.SIGCONT)
        await sync.wait()
        pytest.skip("the refresh finished before the sync could be stopped in its window")
    sync.kill()
    await sync.wait()
    assert await _rolled_up(county) == 0  # the state the kill left
    again = await _start(county, sources)
    assert await asyncio.wait_for(again.wait(), 120) == 0
    await _invariants(county)


async def _rolled_up(engine: AsyncEngine) -> int:
    async with create_sessionmaker(engine)() as session:
        total = await session.scalar(
            select(func.sum(m.RollupValue.numerator)).where(
                m.RollupValue.metric == "registered_volunteers",
                m.RollupValue.period_kind == m.PeriodKind.MONTH,
            )
        )
    return int(total or 0)
