"""A record the database refuses (a number two people share, an honour another source
already holds) is quarantined with both records named and the rule in words; the rest of
its batch is stored, and a re-run does not fail again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

from connectors.conflicts import MAX_REFUSED
from connectors.points.lists import HonourListConnector
from connectors.sync import SyncRunner
from db import models as m
from db.engine import create_sessionmaker
from tests.connectors.files import write_csv
from tests.connectors.test_points import CIPHER, COUNTY
from tests.connectors.test_points import county as points_county
from tests.connectors.test_registry import VOLUNTEER_HEADER, county
from tests.connectors.test_snapshot_integrity import _connector, _volunteers

__all__ = ["county", "points_county"]  # fixtures, used by name


async def _quarantine(engine: AsyncEngine, stream: str) -> list[m.QuarantinedRecord]:
    async with create_sessionmaker(engine)() as session:
        return list(
            await session.scalars(
                select(m.QuarantinedRecord)
                .where(m.QuarantinedRecord.stream == stream)
                .order_by(m.QuarantinedRecord.id)
            )
        )


async def _count(engine: AsyncEngine, model: type[Any]) -> int:
    async with create_sessionmaker(engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_two_people_sharing_one_volunteer_number(county: AsyncEngine, tmp_path: Path) -> None:
    rows = _volunteers(300)
    rows[200][0] = rows[17][0]  # another person, the same 志愿者编号
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, rows)
    for _ in range(2):
        [_, result] = await SyncRunner(county).sync(_connector(tmp_path, path))
        assert result.status is m.SyncStatus.SUCCEEDED, result.error
        assert result.read == 300
        assert result.quarantined == 1
        assert result.read == result.inserted + result.updated + result.unchanged + 1
    assert await _count(county, m.Volunteer) == 299
    [entry] = await _quarantine(county, "volunteers")
    assert entry.times_seen == 2
    assert entry.row_number == 202  # the file's row: the header is row 1
    assert entry.column_name == "志愿者编号"
    assert "V00017" in entry.reason
    assert "row 19 " in entry.reason  # the other record, the one stored
    assert "volunteer number" in entry.reason
    assert "constraint" not in entry.reason


async def test_an_honour_another_source_already_holds(
    points_county: AsyncEngine, tmp_path: Path
) -> None:
    header = ["户主", "区划", "称号", "级别", "年度"]
    first = write_csv(
        tmp_path / "a.csv", header, [["张大山", "坪山村", "最美家庭", "省级", "2024"]]
    )
    [result] = await SyncRunner(points_county).sync(
        HonourListConnector("honours-a", COUNTY, first, CIPHER)
    )
    assert result.status is m.SyncStatus.SUCCEEDED, result.error
    second = write_csv(
        tmp_path / "b.csv",
        header,
        [
            ["钱六", "老屋村", "文明家庭", "县级", "2023"],
            ["张大山", "坪山村", "最美家庭", "省级", "2024"],
            ["孙七", "老屋村", "最美家庭", "县级", "2024"],
        ],
    )
    for _ in range(2):
        [result] = await SyncRunner(points_county).sync(
            HonourListConnector("honours-b", COUNTY, second, CIPHER)
        )
        assert result.status is m.SyncStatus.SUCCEEDED, result.error
        assert (result.read, result.quarantined) == (3, 1)
    assert await _count(points_county, m.HouseholdHonour) == 3
    [entry] = await _quarantine(points_county, "honours")
    assert entry.row_number == 3
    assert "'honours-a'" in entry.reason
    assert "'最美家庭'" in entry.reason
    assert "'provincial'" in entry.reason
    assert "household (户主)" in entry.reason


async def test_on_sqlite_the_batch_savepoint_nests_in_the_batch_transaction(
    county: AsyncEngine, tmp_path: Path
) -> None:
    """A savepoint opened outside a transaction is one on SQLite, and its release
    commits: the batch and its cursor would no longer be one transaction."""
    if county.dialect.name != "sqlite":
        pytest.skip("PostgreSQL begins every transaction explicitly")
    statements: list[str] = []

    def trace(dbapi_connection: Any, _record: Any) -> None:
        await_only(dbapi_connection.driver_connection.set_trace_callback(statements.append))

    await county.dispose()
    event.listen(county.sync_engine, "connect", trace)
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(50))
    [_, result] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert result.inserted == 50
    event.remove(county.sync_engine, "connect", trace)
    savepoints = [index for index, text in enumerate(statements) if text.startswith("SAVEPOINT")]
    assert savepoints
    for index in savepoints:
        opened = [
            text.split()[0]
            for text in statements[:index]
            if text.split()[0] in {"BEGIN", "COMMIT", "ROLLBACK"}
            and not text.startswith("ROLLBACK TO")
        ]
        assert opened[-1] == "BEGIN"


async def test_a_sync_before_the_division_codes_says_to_import_them(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(20))
    [result] = await SyncRunner(engine, county_code="522601").sync(
        _connector(tmp_path, path), streams=["volunteers"]
    )
    assert result.status is m.SyncStatus.FAILED
    assert result.error is not None
    assert result.error.startswith("no division codes are imported yet")
    assert "wenming divisions import DIR" in result.error
    assert await _count(engine, m.Volunteer) == 0


async def test_a_county_missing_from_the_division_codes_is_named(
    county: AsyncEngine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, _volunteers(20))
    [result] = await SyncRunner(county, county_code="522699").sync(_connector(tmp_path, path))
    assert result.status is m.SyncStatus.FAILED
    assert result.error is not None
    assert "county 522699 is not among the imported division codes" in result.error


async def test_a_batch_refused_record_by_record_stops_the_run(
    county: AsyncEngine, tmp_path: Path
) -> None:
    rows = _volunteers(MAX_REFUSED + 30)
    for row in rows:
        row[0] = "V00001"  # an export whose 志愿者编号 column holds one number throughout
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, rows)
    [_, result] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert result.status is m.SyncStatus.FAILED
    assert result.error is not None
    assert f"refused more than {MAX_REFUSED} records of one batch" in result.error
    assert await _count(county, m.Volunteer) == 0


async def test_every_rule_a_row_breaks_is_recorded(county: AsyncEngine, tmp_path: Path) -> None:
    """A clerk corrects the row once, not once per run."""
    rows = _volunteers(3)
    rows[1][1] = " "  # 姓名
    rows[1][3] = "52260119700101001"  # 证件号码: 17 characters
    rows[1][4] = "未知"  # 性别
    rows[1][6] = "12345"  # 手机号码
    rows[1][8] = "下周"  # 注册时间
    path = write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, rows)
    [_, result] = await SyncRunner(county).sync(_connector(tmp_path, path))
    assert (result.inserted, result.quarantined) == (2, 1)
    [entry] = await _quarantine(county, "volunteers")
    assert entry.column_name == "姓名"
    for column in ("姓名", "证件号码", "性别", "手机号码", "注册时间"):
        assert column in entry.reason
