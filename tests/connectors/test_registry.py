"""The national registry export (teams and volunteers, CSV and XLSX) through the runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import Mapped, RawRecord, Stream
from connectors.identity import id_checksum
from connectors.sync import SyncRunner
from connectors.volunteers.registry import RegistryExportConnector
from db import models as m
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher
from tests.connectors.files import write_csv, write_xlsx
from tests.factories import add_division_tree, provenance

TEAM_HEADER = [
    "队伍编号",
    "队伍名称",
    "队伍类型",
    "上级队伍",
    "服务领域",
    "成立日期",
    "负责人",
    "所属阵地",
]
TEAMS = [
    ["T002", "大十字街道志愿服务支队", "支队", "T001", "", "2020-05-01", "李明", ""],
    [
        "T001",
        "凯里市新时代文明实践志愿服务总队",
        "总队",
        "",
        "",
        "2019/3/5",
        "王强",
        "凯里市新时代文明实践中心",
    ],
    ["T003", "北京东路社区志愿服务队", "村（社区）队", "T002", "", "2021年3月5日", "", ""],
    ["T004", "孤儿队", "其他", "T999", "", "", "", ""],
]


def _id(first17: str) -> str:
    return first17 + id_checksum(first17)


VOLUNTEER_HEADER = [
    "志愿者编号",
    "姓名",
    "证件类型",
    "证件号码",
    "性别",
    "出生日期",
    "手机号码",
    "政治面貌",
    "注册时间",
    "所属队伍",
    "所在区划",
    "累计服务时长(小时)",
]
# Real exports: stray spaces, full-width digits, lowercase x, apostrophes, +86, serial dates.
VOLUNTEERS: list[list[Any]] = [
    [
        "V001",
        " 张 伟 ",
        "居民身份证",
        "'52260119841221739６",
        "男",
        "1984-12-21",
        "+86 138 1234 5678",
        "群众",
        "2021-03-05",
        "T003",
        "522601",
        "12.5",
    ],
    [
        "V002",
        "李秀英",
        "居民身份证",
        "11010519491231002x",
        "",
        "",
        "139-0000-1111",
        "中共党员",
        "2021/3/5",
        "T002、T003",
        "522601",
        "120",
    ],
    [
        "V003",
        "王芳",
        "",
        " 110105 1949 1231 002X ",
        "女",
        "",
        "",
        "",
        "2021年3月6日",
        "",
        "522601",
        "",
    ],
    [
        "V004",
        "赵强",
        "居民身份证",
        "522601198412217390",
        "男",
        "",
        "",
        "",
        "20210307",
        "",
        "522601",
        "3",
    ],
    [
        "V005",
        "孙丽",
        "居民身份证",
        _id("52260119900230002"),
        "女",
        "",
        "",
        "",
        44197,
        "",
        "522601",
        "1",
    ],
    ["V006", "钱多", "护照", "E12345678", "男", "", "", "", "2022-01-01", "", "", "0"],
    [
        "V007",
        "周平",
        "居民身份证",
        _id("52260119800101001"),
        "男",
        "",
        "12345",
        "",
        "2022-01-01",
        "",
        "",
        "0",
    ],
    ["V008", "吴敏", "居民身份证", _id("52260119800101002"), "女", "", "", "", "", "", "", "0"],
    [
        "V009",
        "郑洁",
        "居民身份证",
        _id("52260119800101004"),
        "女",
        "",
        "",
        "",
        "2022-01-02",
        "",
        "620623",
        "0",
    ],
    [
        "V010",
        "冯佳",
        "居民身份证",
        _id("52260119920101002"),
        "女",
        "",
        "",
        "",
        "2022-01-03",
        "",
        "",
        "0",
    ],
    ["", "", "", "", "", "", "", "", "", "", "", ""],
]
SECRET = PersonalDataCipher("wenming-test-secret-0123456789")


@pytest.fixture
async def county(engine: AsyncEngine) -> AsyncEngine:
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(add_division_tree())
        session.add(
            m.Site(
                kind=m.SiteKind.CENTER,
                name="凯里市新时代文明实践中心",
                division_code="522601",
                status=m.SiteStatus.OPEN,
                **provenance(),
            )
        )
    return engine


def _connector(
    tmp_path: Path, write: Callable[..., Path], system: str = "national-registry"
) -> RegistryExportConnector:
    suffix = ".xlsx" if write is write_xlsx else ".csv"
    teams = write(tmp_path / f"teams{suffix}", TEAM_HEADER, TEAMS)
    volunteers = write(tmp_path / f"volunteers{suffix}", VOLUNTEER_HEADER, VOLUNTEERS)
    return RegistryExportConnector(system, "522601", teams, volunteers, SECRET)


@pytest.mark.parametrize("write", [write_csv, write_xlsx], ids=["csv", "xlsx"])
async def test_teams_nest_and_find_their_home_site(
    county: AsyncEngine, tmp_path: Path, write: Callable[..., Path]
) -> None:
    [teams, _] = await SyncRunner(county).sync(_connector(tmp_path, write))
    assert (teams.read, teams.inserted, teams.quarantined) == (4, 3, 1)
    async with create_sessionmaker(county)() as session:
        found = {team.source_id: team for team in (await session.scalars(select(m.Team))).all()}
        center = (await session.scalars(select(m.Site.id))).one()
        reason = (
            await session.scalars(
                select(m.QuarantinedRecord.reason).where(m.QuarantinedRecord.stream == "teams")
            )
        ).one()
    assert found["T001"].kind is m.TeamKind.GENERAL_BRIGADE
    assert found["T001"].home_site_id == center
    assert found["T002"].parent_id == found["T001"].id
    assert found["T003"].kind is m.TeamKind.VILLAGE
    assert reason == "上级队伍 'T999' is not a known team of this source"


@pytest.mark.parametrize("write", [write_csv, write_xlsx], ids=["csv", "xlsx"])
@pytest.mark.parametrize(
    "options",
    [{}, {"batch_size": 3, "mapping_process_after": 3}],
    ids=["mapped-here", "mapped-in-a-second-process"],
)
async def test_volunteers_from_a_messy_export(
    county: AsyncEngine, tmp_path: Path, write: Callable[..., Path], options: dict[str, Any]
) -> None:
    [_, result] = await SyncRunner(county, **options).sync(_connector(tmp_path, write))
    # V003 is V002's person again; V004, V005, V007, V008 and V009 break rules.
    assert (result.read, result.inserted, result.updated, result.quarantined) == (10, 4, 1, 5)
    assert result.read == result.inserted + result.updated + result.unchanged + result.quarantined
    async with create_sessionmaker(county)() as session:
        people = {v.volunteer_number: v for v in (await session.scalars(select(m.Volunteer))).all()}
        registrations = (
            await session.execute(select(func.count()).select_from(m.VolunteerRegistration))
        ).scalar_one()
        memberships = (
            await session.execute(select(func.count()).select_from(m.TeamMembership))
        ).scalar_one()
        reasons = {
            q.row_number: (q.column_name, q.reason)
            for q in (
                await session.scalars(
                    select(m.QuarantinedRecord).where(m.QuarantinedRecord.stream == "volunteers")
                )
            ).all()
        }
    assert set(people) == {"V001", "V002", "V006", "V010"}
    zhang = people["V001"]
    assert zhang.real_name == "张伟"
    assert SECRET.open(zhang.id_number_sealed) == "522601198412217396"
    assert SECRET.open(zhang.phone_sealed or "") == "13812345678"
    assert zhang.service_minutes == 750
    li = people["V002"]
    assert SECRET.open(li.id_number_sealed) == "11010519491231002X"
    assert li.gender is m.Gender.FEMALE  # from the ID number's 17th digit
    assert registrations == 5  # V002 and V003 are two registrations of one person
    assert memberships == 3
    assert str(people["V010"].registered_on) == "2022-01-03"
    assert SECRET.open(people["V006"].id_number_sealed) == "护照:E12345678"
    assert reasons[5][0] == "证件号码"
    assert "check character" in reasons[5][1]
    assert "522***********7390" in reasons[5][1]  # the number is never shown whole
    assert "birth date" in reasons[6][1]
    assert reasons[8] == ("手机号码", "手机号码 '12345' is not a mainland mobile number")
    assert reasons[9][0] == "注册时间"
    assert reasons[10] == ("所在区划", "所在区划 620623 lies outside county 522601")


class DiesOnRecord(RegistryExportConnector):
    """The registry export, but mapping one volunteer number in a mapping process kills
    that process (as running out of memory would)."""

    def __init__(self, *args: Any, fatal: str) -> None:
        super().__init__(*args)
        self._fatal = fatal
        self._parent = os.getpid()

    def map(self, stream: Stream, record: RawRecord) -> list[Mapped]:
        if record.payload.get("志愿者编号") == self._fatal and os.getpid() != self._parent:
            os._exit(3)
        return super().map(stream, record)


async def test_a_dead_mapping_process_fails_the_run_clearly_and_the_next_run_finishes(
    county: AsyncEngine, tmp_path: Path
) -> None:
    files = (
        write_csv(tmp_path / "teams.csv", TEAM_HEADER, TEAMS),
        write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, VOLUNTEERS),
    )
    runner = SyncRunner(county, batch_size=3, mapping_process_after=3)
    dies = DiesOnRecord("national-registry", "522601", *files, SECRET, fatal="V006")
    [teams, failed] = await runner.sync(dies)
    assert teams.status is m.SyncStatus.SUCCEEDED
    assert failed.status is m.SyncStatus.FAILED
    assert "the process mapping its records stopped" in (failed.error or "")
    assert "run the sync again" in (failed.error or "")
    assert failed.read == 3  # the first batch, mapped here, is committed
    [_, finished] = await runner.sync(
        RegistryExportConnector("national-registry", "522601", *files, SECRET)
    )
    assert finished.status is m.SyncStatus.SUCCEEDED
    assert finished.read == 10 - 3  # the blank row is no record
    assert finished.read == finished.inserted + finished.updated + finished.quarantined
    async with create_sessionmaker(county)() as session:
        people = (await session.execute(select(func.count()).select_from(m.Volunteer))).scalar()
    assert people == 4


async def test_a_person_in_two_registries_is_one_volunteer(
    county: AsyncEngine, tmp_path: Path
) -> None:
    runner = SyncRunner(county)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    await runner.sync(_connector(tmp_path / "a", write_csv))
    [_, second] = await runner.sync(
        _connector(tmp_path / "b", write_csv, system="county-app-export")
    )
    assert second.inserted == 0
    async with create_sessionmaker(county)() as session:
        volunteers = (
            await session.execute(select(func.count()).select_from(m.Volunteer))
        ).scalar_one()
        registrations = (
            await session.execute(select(func.count()).select_from(m.VolunteerRegistration))
        ).scalar_one()
    assert (volunteers, registrations) == (4, 10)  # 5 records stored per registry, 4 people


async def test_reimport_changes_nothing_and_a_dropped_volunteer_is_retired(
    county: AsyncEngine, tmp_path: Path
) -> None:
    runner = SyncRunner(county)
    await runner.sync(_connector(tmp_path, write_csv))
    [_, again] = await runner.sync(_connector(tmp_path, write_csv))
    assert (again.inserted, again.updated, again.unchanged, again.quarantined) == (0, 0, 5, 5)
    fewer = [row for row in VOLUNTEERS if row[0] != "V006"]
    (tmp_path / "next").mkdir()
    write_csv(tmp_path / "next" / "volunteers.csv", VOLUNTEER_HEADER, fewer)
    write_csv(tmp_path / "next" / "teams.csv", TEAM_HEADER, TEAMS)
    connector = RegistryExportConnector(
        "national-registry",
        "522601",
        tmp_path / "next" / "teams.csv",
        tmp_path / "next" / "volunteers.csv",
        SECRET,
    )
    [_, third] = await runner.sync(connector)
    assert third.retired == 1
    async with create_sessionmaker(county)() as session:
        retired = (
            await session.scalars(
                select(m.Volunteer.volunteer_number).where(m.Volunteer.retired_at.is_not(None))
            )
        ).all()
    assert retired == ["V006"]


async def test_a_volunteer_stays_while_one_registry_still_knows_them(
    county: AsyncEngine, tmp_path: Path
) -> None:
    runner = SyncRunner(county)
    fewer = [row for row in VOLUNTEERS if row[0] != "V006"]

    def export(folder: str, system: str, rows: list[list[str]]) -> RegistryExportConnector:
        (tmp_path / folder).mkdir()
        teams = write_csv(tmp_path / folder / "teams.csv", TEAM_HEADER, TEAMS)
        volunteers = write_csv(tmp_path / folder / "volunteers.csv", VOLUNTEER_HEADER, rows)
        return RegistryExportConnector(system, "522601", teams, volunteers, SECRET)

    async def retired() -> list[str]:
        async with create_sessionmaker(county)() as session:
            return list(
                (
                    await session.scalars(
                        select(m.Volunteer.volunteer_number).where(
                            m.Volunteer.retired_at.is_not(None)
                        )
                    )
                ).all()
            )

    await runner.sync(export("a", "national-registry", VOLUNTEERS))
    await runner.sync(export("b", "county-app-export", VOLUNTEERS))
    [_, dropped_here] = await runner.sync(export("a2", "national-registry", fewer))
    assert dropped_here.retired == 0
    assert await retired() == []  # the county app still registers V006
    [_, dropped_there] = await runner.sync(export("b2", "county-app-export", fewer))
    assert dropped_there.retired == 1
    assert await retired() == ["V006"]


def test_an_id_number_from_no_province_is_refused() -> None:
    from connectors.base import Rejection
    from connectors.volunteers.registry import map_volunteer_row

    row = dict(
        zip(
            VOLUNTEER_HEADER,
            [
                "V1",
                "褚明",
                "居民身份证",
                _id("99260119920101003"),
                "男",
                "",
                "",
                "",
                "2022-01-03",
                "",
                "",
                "0",
            ],
            strict=True,
        )
    )
    with pytest.raises(Rejection, match="unknown province code"):
        map_volunteer_row(row, "522601", SECRET)
    row["证件号码"] = _id("52260119920101003")
    assert map_volunteer_row(row, "522601", SECRET).values["real_name"] == "褚明"


async def test_an_unchanged_file_read_again_does_not_grow_the_quarantine(
    county: AsyncEngine, tmp_path: Path
) -> None:
    runner = SyncRunner(county)
    for _ in range(3):
        [_, volunteers] = await runner.sync(_connector(tmp_path, write_csv))
        stored = volunteers.inserted + volunteers.updated + volunteers.unchanged
        assert volunteers.read == stored + volunteers.quarantined
        assert volunteers.quarantined == 5
    async with create_sessionmaker(county)() as session:
        entries = (
            await session.scalars(
                select(m.QuarantinedRecord).where(m.QuarantinedRecord.stream == "volunteers")
            )
        ).all()
    assert len(entries) == 5
    assert {entry.times_seen for entry in entries} == {3}
