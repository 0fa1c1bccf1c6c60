"""A snapshot that is cut off, damaged or suddenly much smaller retires nobody: the run
fails with a reason a clerk can act on, and the volunteers stay."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.sync import SyncRunner
from connectors.volunteers.registry import RegistryExportConnector
from db import models as m
from db.engine import create_sessionmaker
from db.rollup import rollup_owed
from hub.app import create_app
from hub.settings import Settings
from tests.connectors.files import write_csv, write_xlsx
from tests.connectors.test_registry import (
    SECRET,
    TEAM_HEADER,
    TEAMS,
    VOLUNTEER_HEADER,
    _id,
    county,
)
from tests.databases import TEST_SECRET

__all__ = ["county"]  # the fixture, used by name

PEOPLE = 2_000


def _volunteers(count: int) -> list[list[Any]]:
    births = [date(1970, 1, 1) + timedelta(days=3 * index) for index in range(count)]
    return [
        [
            f"V{index:05d}",
            f"志愿者{index}",
            "居民身份证",
            _id(f"522601{born:%Y%m%d}{index % 1000:03d}"),
            "男" if index % 2 else "女",
            born.isoformat(),
            f"138{index:08d}",
            "群众",
            "2021-03-05",
            "T003",
            "522601",
            str(index % 50),
        ]
        for index, born in enumerate(births)
    ]


def _connector(directory: Path, volunteers: Path) -> RegistryExportConnector:
    teams = write_csv(directory / "teams.csv", TEAM_HEADER, TEAMS)
    return RegistryExportConnector("national-registry", "522601", teams, volunteers, SECRET)


async def _active(engine: AsyncEngine) -> int:
    async with create_sessionmaker(engine)() as session:
        count = await session.scalar(
            select(func.count()).select_from(m.Volunteer).where(m.Volunteer.retired_at.is_(None))
        )
    return int(count or 0)


async def _runs(engine: AsyncEngine) -> list[m.SyncStatus]:
    async with create_sessionmaker(engine)() as session:
        return list(await session.scalars(select(m.SyncRun.status).order_by(m.SyncRun.id)))


@pytest.fixture
async def synced(county: AsyncEngine, tmp_path: Path) -> tuple[AsyncEngine, Path]:
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(PEOPLE))
    [_, volunteers] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert volunteers.status is m.SyncStatus.SUCCEEDED, volunteers.error
    assert await _active(county) == PEOPLE
    return county, path


@pytest.mark.parametrize("share", [0.55, 0.9, 0.999])
async def test_a_file_cut_off_mid_row_retires_nobody(
    synced: tuple[AsyncEngine, Path], tmp_path: Path, share: float
) -> None:
    engine, path = synced
    data = path.read_bytes()
    cut = tmp_path / "cut" / "volunteers.csv"
    cut.parent.mkdir()
    cut.write_bytes(data[: int(len(data) * share)])
    [_, result] = await SyncRunner(engine).sync(_connector(cut.parent, cut))
    assert result.status is m.SyncStatus.FAILED
    assert result.error is not None
    assert "cut off" in result.error
    assert result.retired == 0
    assert await _active(engine) == PEOPLE


async def test_a_gb18030_file_cut_mid_character_retires_nobody(
    county: AsyncEngine, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(200), encoding="gb18030"
    )
    await SyncRunner(county).sync(_connector(tmp_path, path))
    data = path.read_bytes()
    last_chinese = data.rindex("志".encode("gb18030"))
    path.write_bytes(data[: last_chinese + 1])  # the first byte of a two-byte character
    [_, result] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert result.status is m.SyncStatus.FAILED
    assert result.error is not None
    assert "middle of a character" in result.error
    assert await _active(county) == 200


@pytest.mark.parametrize("damage", ["truncated", "garbage", "corrupted"])
async def test_a_damaged_workbook_retires_nobody(
    county: AsyncEngine, tmp_path: Path, damage: str
) -> None:
    path = write_xlsx(tmp_path / "volunteers.xlsx", VOLUNTEER_HEADER, _volunteers(300))
    [_, first] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert first.status is m.SyncStatus.SUCCEEDED, first.error
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(b"PK\x03\x04 not really a workbook" * 100)
    else:
        middle = len(data) // 3
        data[middle : middle + 200] = bytes(200)
    path.write_bytes(bytes(data))
    [_, result] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert result.status is m.SyncStatus.FAILED
    assert result.error is not None
    assert "not a readable XLSX workbook" in result.error
    assert await _active(county) == 300


async def test_a_sharply_smaller_snapshot_is_held_back_until_accepted(
    synced: tuple[AsyncEngine, Path], tmp_path: Path
) -> None:
    engine, _ = synced
    (tmp_path / "half").mkdir()
    smaller = write_csv(
        tmp_path / "half" / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(PEOPLE // 2)
    )
    [_, held] = await SyncRunner(engine).sync(_connector(smaller.parent, smaller))
    assert held.status is m.SyncStatus.FAILED
    assert held.error is not None
    assert "--accept-shrink" in held.error
    assert "1,000 of the 2,000" in held.error
    assert await _active(engine) == PEOPLE
    [_, accepted] = await SyncRunner(engine, accept_shrink=True).sync(
        _connector(smaller.parent, smaller)
    )
    assert accepted.status is m.SyncStatus.SUCCEEDED, accepted.error
    assert accepted.retired == PEOPLE // 2
    assert await _active(engine) == PEOPLE // 2


async def test_a_small_loss_passes(synced: tuple[AsyncEngine, Path], tmp_path: Path) -> None:
    engine, _ = synced
    (tmp_path / "most").mkdir()
    most = write_csv(
        tmp_path / "most" / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(PEOPLE - 100)
    )
    [_, result] = await SyncRunner(engine).sync(_connector(most.parent, most))
    assert result.status is m.SyncStatus.SUCCEEDED, result.error
    assert result.retired == 100


async def test_an_oversized_field_fails_the_run_in_words(
    county: AsyncEngine, tmp_path: Path
) -> None:
    rows = _volunteers(10)
    rows[5][1] = "名" * 200_000
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, rows)
    [_, result] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert result.status is m.SyncStatus.FAILED
    assert result.error is not None
    assert "row 7 cannot be read as CSV" in result.error


async def test_a_missing_file_fails_its_run_instead_of_leaving_it_running(
    county: AsyncEngine, tmp_path: Path
) -> None:
    [teams] = await SyncRunner(county).sync(
        _connector(tmp_path, tmp_path / "nowhere.csv"), streams=["volunteers"]
    )
    assert teams.status is m.SyncStatus.FAILED
    assert teams.error is not None
    assert "does not exist" in teams.error
    assert await _runs(county) == [m.SyncStatus.FAILED]


async def test_excels_unicode_text_is_read_as_the_export_it_is(
    county: AsyncEngine, tmp_path: Path
) -> None:
    rows = _volunteers(20)
    text = "\r\n".join("\t".join(str(cell) for cell in row) for row in [VOLUNTEER_HEADER, *rows])
    path = tmp_path / "volunteers.txt"
    path.write_bytes(b"\xff\xfe" + (text + "\r\n").encode("utf-16-le"))
    [_, result] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert result.status is m.SyncStatus.SUCCEEDED, result.error
    assert result.inserted == 20


async def test_a_file_in_another_encoding_is_named_as_such(
    county: AsyncEngine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(5))
    data = path.read_bytes() + "\n坏".encode("big5") + b"\xff\xfe\xfa" * 20 + b"\n"
    path.write_bytes(data)
    [_, result] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert result.status is m.SyncStatus.FAILED
    assert result.error is not None
    assert "cut off" not in result.error
    assert "text throughout" in result.error


async def _rolled_up_volunteers(engine: AsyncEngine) -> int:
    async with create_sessionmaker(engine)() as session:
        total = await session.scalar(
            select(func.coalesce(func.sum(m.RollupValue.numerator), 0)).where(
                m.RollupValue.metric == "registered_volunteers",
                m.RollupValue.period_kind == m.PeriodKind.MONTH,
            )
        )
    return int(total or 0)


async def test_a_sync_stopped_before_its_refresh_is_caught_up(
    county: AsyncEngine, tmp_path: Path
) -> None:
    """The state a SIGKILL between the last commit and the refresh leaves (the runs
    succeeded, the rows stored, the rollup not rebuilt) is repaired by the next sync,
    even one that changes nothing, and by the next start of the hub."""
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(300))
    await SyncRunner(county).sync(_connector(tmp_path, path), refresh=False)
    assert await _rolled_up_volunteers(county) == 0
    assert await rollup_owed(county)
    [_, again] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert (again.inserted, again.updated) == (0, 0)
    assert await _rolled_up_volunteers(county) == 300
    assert not await rollup_owed(county)


async def test_the_hub_catches_the_rollup_up_when_it_starts(
    county: AsyncEngine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(120))
    await SyncRunner(county).sync(_connector(tmp_path, path), refresh=False)
    app = create_app(Settings(secret_key=TEST_SECRET), engine=county)
    async with app.router.lifespan_context(app):
        for _ in range(100):
            if not await rollup_owed(county):
                break
            await asyncio.sleep(0.05)
    assert await _rolled_up_volunteers(county) == 120
