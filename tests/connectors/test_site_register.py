"""Site registers (CSV in GBK, XLSX) and the JSON org tree, through the sync runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.sites.register import OrgTreeConnector, SiteRegisterConnector
from connectors.sync import SyncRunner
from db import migrate
from db import models as m
from db.engine import create_sessionmaker
from tests.connectors.files import write_csv, write_xlsx
from tests.databases import DatabaseFactory
from tests.factories import add_division_tree

HEADER = [
    "阵地名称",
    "阵地类型",
    "上级阵地",
    "区划代码",
    "是否示范",
    "建成时间",
    "面积(㎡)",
    "状态",
    "服务平台",
]
# Children before their parents, dates in every spelling, full-width digits, stray spaces.
ROWS: list[list[Any]] = [
    [
        "北京东路社区新时代文明实践站",
        "实践站",
        "大十字街道新时代文明实践所",
        "522601001001",
        "是",
        "2021/3/5",
        "１２０",
        "运行",
        "",
    ],
    [
        "大十字街道新时代文明实践所",
        "新时代文明实践所",
        "凯里市新时代文明实践中心",
        "522601001",
        "否",
        "2020年6月1日",
        "300.5",
        "运行",
        "理论宣讲平台",
    ],
    [
        " 凯里市新时代文明实践中心 ",
        "新时代文明实践中心",
        "",
        "522601",
        "是",
        "20190305",
        "2,000",
        "运行",
        "理论宣讲平台、健康促进平台",
    ],
    [
        "北京东路文化广场实践点",
        "实践点",
        "北京东路社区新时代文明实践站",
        "522601001001",
        "否",
        44197,
        "",
        "在建",
        "",
    ],
    [
        "城西社区新时代文明实践站",
        "实践站",
        "522601001000",
        "522601001001",
        "否",
        "2022-01-09",
        "80",
        "停用",
        "",
    ],
    [
        "无主实践站",
        "实践站",
        "不存在的实践所",
        "522601001001",
        "否",
        "2022-01-09",
        "80",
        "运行",
        "",
    ],
    ["类型不明的阵地", "文化礼堂", "凯里市新时代文明实践中心", "522601", "否", "", "", "运行", ""],
    [
        "区划不明的实践站",
        "实践站",
        "大十字街道新时代文明实践所",
        "999999001001",
        "否",
        "",
        "",
        "运行",
        "",
    ],
    [
        "面积为负的实践站",
        "实践站",
        "大十字街道新时代文明实践所",
        "522601001001",
        "否",
        "",
        "-5",
        "运行",
        "",
    ],
    ["", "", "", "", "", "", "", "", ""],
]


@pytest.fixture
async def divisions(engine: AsyncEngine) -> AsyncEngine:
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(add_division_tree())
    return engine


async def _sites(engine: AsyncEngine) -> dict[str, m.Site]:
    async with create_sessionmaker(engine)() as session:
        return {site.name: site for site in (await session.scalars(select(m.Site))).all()}


@pytest.mark.parametrize(
    "write",
    [
        lambda path: write_csv(path / "register.csv", HEADER, ROWS, encoding="gb18030"),
        lambda path: write_xlsx(path / "register.xlsx", HEADER, ROWS),
    ],
    ids=["csv-gbk", "xlsx"],
)
async def test_a_messy_register_is_stored_or_quarantined_row_by_row(
    divisions: AsyncEngine, tmp_path: Path, write: Callable[[Path], Path]
) -> None:
    connector = SiteRegisterConnector("kaili-register", write(tmp_path))
    [result] = await SyncRunner(divisions, county_code="522601").sync(connector)
    assert result.status is m.SyncStatus.SUCCEEDED
    assert (result.read, result.inserted, result.quarantined) == (9, 5, 4)
    sites = await _sites(divisions)
    center, institute = sites["凯里市新时代文明实践中心"], sites["大十字街道新时代文明实践所"]
    station = sites["北京东路社区新时代文明实践站"]
    assert center.kind is m.SiteKind.CENTER
    assert institute.parent_id == center.id
    assert institute.division_code == "522601001000"
    assert station.parent_id == institute.id
    assert (station.is_demonstration, station.floor_area_m2, str(station.opened_on)) == (
        True,
        120.0,
        "2021-03-05",
    )
    assert str(center.opened_on) == "2019-03-05"
    assert center.floor_area_m2 == 2000.0
    point = sites["北京东路文化广场实践点"]
    assert (point.kind, point.status, str(point.opened_on)) == (
        m.SiteKind.POINT,
        m.SiteStatus.BUILDING,
        "2021-01-01",
    )
    assert (
        sites["城西社区新时代文明实践站"].parent_id == institute.id
    )  # parent given by its division code
    async with create_sessionmaker(divisions)() as session:
        reasons = {
            row.row_number: (row.column_name, row.reason)
            for row in (await session.scalars(select(m.QuarantinedRecord))).all()
        }
        platforms = (
            await session.scalars(select(m.Platform.name).where(m.Platform.center_id == center.id))
        ).all()
        hosted = (
            await session.execute(select(func.count()).select_from(m.site_platforms))
        ).scalar_one()
    assert reasons[7][1] == (
        "上级阵地 '不存在的实践所' is not the name of one site (unknown, or shared by several)"
    )
    assert reasons[8][0] == "阵地类型"
    assert reasons[9] == (None, "区划代码 '999999001001' is not a known division code")
    assert reasons[10] == ("面积(㎡)", "面积(㎡) is -5; it cannot be below 0")
    assert sorted(platforms) == ["健康促进平台", "理论宣讲平台"]
    assert hosted == 3


async def test_quarantine_keeps_the_raw_row(divisions: AsyncEngine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "register.csv", HEADER, ROWS)
    await SyncRunner(divisions).sync(SiteRegisterConnector("kaili-register", path))
    async with create_sessionmaker(divisions)() as session:
        record = (
            await session.scalars(
                select(m.QuarantinedRecord).where(m.QuarantinedRecord.row_number == 8)
            )
        ).one()
    payload = json.loads(record.raw_payload)
    assert payload["阵地名称"] == "类型不明的阵地"
    assert payload["阵地类型"] == "文化礼堂"


async def test_running_the_same_register_again_changes_nothing(
    divisions: AsyncEngine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "register.csv", HEADER, ROWS)
    runner = SyncRunner(divisions)
    await runner.sync(SiteRegisterConnector("kaili-register", path))
    before = {
        name: (site.id, site.content_hash) for name, site in (await _sites(divisions)).items()
    }
    [again] = await runner.sync(SiteRegisterConnector("kaili-register", path))
    assert (again.read, again.inserted, again.updated, again.unchanged, again.quarantined) == (
        9,
        0,
        0,
        5,
        4,
    )
    after = {name: (site.id, site.content_hash) for name, site in (await _sites(divisions)).items()}
    assert after == before


async def test_changed_and_vanished_rows(divisions: AsyncEngine, tmp_path: Path) -> None:
    runner = SyncRunner(divisions)
    await runner.sync(
        SiteRegisterConnector("kaili-register", write_csv(tmp_path / "a.csv", HEADER, ROWS))
    )
    changed = [list(row) for row in ROWS if row[0] != "北京东路文化广场实践点"]
    changed[0][6] = "150"
    [result] = await runner.sync(
        SiteRegisterConnector("kaili-register", write_csv(tmp_path / "b.csv", HEADER, changed))
    )
    assert (result.updated, result.unchanged, result.retired) == (1, 3, 1)
    sites = await _sites(divisions)
    assert sites["北京东路社区新时代文明实践站"].floor_area_m2 == 150.0
    assert sites["北京东路文化广场实践点"].retired_at is not None
    assert sites["凯里市新时代文明实践中心"].retired_at is None


def test_a_file_without_the_register_columns_is_refused(tmp_path: Path) -> None:
    import asyncio

    from connectors.errors import SourceFormatError

    path = write_csv(tmp_path / "wrong.csv", ["名称", "类型"], [["a", "b"]])
    connector = SiteRegisterConnector("x", path)

    async def read_all() -> list[object]:
        return [record async for record in connector.read(connector.streams[0], None)]

    with pytest.raises(SourceFormatError, match="阵地名称"):
        asyncio.run(read_all())


async def test_json_org_tree(divisions: AsyncEngine, tmp_path: Path) -> None:
    tree = {
        "data": [
            {
                "id": 1,
                "name": "凯里市新时代文明实践中心",
                "type": "center",
                "areaCode": "522601",
                "platforms": ["理论宣讲平台"],
                "children": [
                    {
                        "id": 2,
                        "name": "大十字街道新时代文明实践所",
                        "type": "实践所",
                        "areaCode": "522601001000",
                        "children": [
                            {
                                "id": 3,
                                "name": "北京东路社区新时代文明实践站",
                                "type": "实践站",
                                "areaCode": "522601001001",
                            },
                            {"id": 4, "name": "坏节点", "type": "station", "areaCode": "12"},
                        ],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    [result] = await SyncRunner(divisions).sync(OrgTreeConnector("kaili-app-tree", path))
    assert (result.read, result.inserted, result.quarantined) == (4, 3, 1)
    sites = await _sites(divisions)
    assert sites["北京东路社区新时代文明实践站"].parent_id == sites["大十字街道新时代文明实践所"].id
    assert sites["大十字街道新时代文明实践所"].parent_id == sites["凯里市新时代文明实践中心"].id


async def test_sites_sharing_a_name_in_different_villages_stay_distinct(
    divisions: AsyncEngine, tmp_path: Path
) -> None:
    async with create_sessionmaker(divisions)() as session, session.begin():
        session.add(
            m.Division(
                code="522601001002",
                name="长山村",
                level=m.DivisionLevel.VILLAGE,
                parent_code="522601001000",
            )
        )
    station = "长山社区新时代文明实践站"
    center = ["凯里市新时代文明实践中心", "中心", "", "522601", "是", "", "", "运行", ""]
    rows: list[list[Any]] = [
        center,
        [station, "实践站", "凯里市新时代文明实践中心", "522601001001", "否", "", "80", "运行", ""],
        [station, "实践站", "凯里市新时代文明实践中心", "522601001002", "否", "", "60", "运行", ""],
        # The same site listed twice, the same both times: one site, nothing lost.
        [station, "实践站", "凯里市新时代文明实践中心", "522601001002", "否", "", "60", "运行", ""],
        # The same site again with another floor area: which one is right?
        [station, "实践站", "凯里市新时代文明实践中心", "522601001002", "否", "", "90", "运行", ""],
        # A point whose parent is named by a name two sites share.
        ["长山文化广场实践点", "实践点", station, "522601001002", "否", "", "", "运行", ""],
    ]
    path = write_csv(tmp_path / "register.csv", HEADER, rows)
    for _ in range(2):
        [result] = await SyncRunner(divisions).sync(SiteRegisterConnector("kaili-register", path))
        assert result.status is m.SyncStatus.SUCCEEDED, result.error
        assert result.read == 6
        assert result.quarantined == 2
    async with create_sessionmaker(divisions)() as session:
        stations = (await session.scalars(select(m.Site).where(m.Site.name == station))).all()
        reasons = {
            row.row_number: row.reason
            for row in (await session.scalars(select(m.QuarantinedRecord))).all()
        }
    assert sorted((s.division_code, s.floor_area_m2) for s in stations) == [
        ("522601001001", 80.0),
        ("522601001002", 60.0),
    ]
    assert "row 4 again" in reasons[6]
    assert "not the name of one site" in reasons[7]


async def test_sites_stored_by_name_alone_are_kept_across_the_upgrade(
    backend: str, database_factory: DatabaseFactory, tmp_path: Path
) -> None:
    """A register synced before sites were known by division keeps its sites: the
    migration renames their keys, and the next sync finds every one unchanged."""
    engine = await database_factory.create(backend)
    path = write_csv(tmp_path / "register.csv", HEADER, ROWS[:4])
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(add_division_tree())
    [first] = await SyncRunner(engine).sync(SiteRegisterConnector("kaili-register", path))
    assert first.inserted == 4
    async with engine.begin() as connection:
        await connection.execute(
            update(m.Site).values(source_id=m.Site.name)  # how 0010's hub stored them
        )
    await migrate.downgrade(engine, "0010")
    await migrate.upgrade(engine)
    [again] = await SyncRunner(engine).sync(SiteRegisterConnector("kaili-register", path))
    assert (again.status, again.unchanged, again.inserted, again.retired) == (
        m.SyncStatus.SUCCEEDED,
        4,
        0,
        0,
    )


async def test_a_station_in_a_village_the_public_list_lacks_adds_the_village(
    divisions: AsyncEngine, tmp_path: Path
) -> None:
    """The public code list stops at townships: a station under a known township adds
    its village, marked as named by the register; one under an unknown township does not."""
    tail = ["否", "", "", "运行", ""]
    center = "凯里市新时代文明实践中心"
    rows: list[list[Any]] = [
        [center, "中心", "", "522601", "是", "", "", "运行", ""],
        ["长山社区新时代文明实践站", "实践站", center, "522601001007", *tail],
        ["长山文化广场实践点", "实践点", "522601001007", "522601001007", *tail],
        ["远方村新时代文明实践站", "实践站", center, "522601099001", *tail],
    ]
    path = write_csv(tmp_path / "register.csv", HEADER, rows)
    [result] = await SyncRunner(divisions).sync(SiteRegisterConnector("kaili-register", path))
    assert (result.inserted, result.quarantined) == (3, 1)
    async with create_sessionmaker(divisions)() as session:
        village = await session.get(m.Division, "522601001007")
        stray = await session.get(m.Division, "522601099001")
        sites = {s.name: s for s in (await session.scalars(select(m.Site))).all()}
    assert village is not None
    assert (village.name, village.level, village.parent_code, village.named_by) == (
        "长山社区",
        m.DivisionLevel.VILLAGE,
        "522601001000",
        "kaili-register",
    )
    assert stray is None
    assert sites["长山文化广场实践点"].parent_id == sites["长山社区新时代文明实践站"].id
    async with create_sessionmaker(divisions)() as session:
        official = await session.get(m.Division, "522601001001")
    assert official is not None
    assert official.named_by is None
