"""Points banks, households, credit ratings and honours through the runner: ledgers in
several banks' spellings, the ledger rules, idempotence, adjustments, and one household
across sources."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import Connector
from connectors.config import (
    PointsLedgerSource,
    SourceConfigError,
    build_connector,
    load_sources,
    parse_sources,
)
from connectors.points.ledger import PassbookLedgerConnector
from connectors.points.lists import (
    CreditListConnector,
    HonourListConnector,
    HouseholdRosterConnector,
)
from connectors.points.settings import LEDGER_HEADER, BankRules
from connectors.sync import StreamResult, SyncRunner
from db import models as m
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher
from tests.connectors.files import write_csv, write_xlsx

COUNTY = "520602"
CIPHER = PersonalDataCipher("points-test-secret-0123456789")
RULES = BankRules(redemption_floor=10, max_entry_points=100)

# 碧江区: two townships, each with a village called 新村, and one 坪山村.
DIVISIONS = [
    ("520000", "贵州省", m.DivisionLevel.PROVINCE, None),
    ("520600", "铜仁市", m.DivisionLevel.PREFECTURE, "520000"),
    (COUNTY, "碧江区", m.DivisionLevel.COUNTY, "520600"),
    ("520602100000", "和平镇", m.DivisionLevel.TOWNSHIP, COUNTY),
    ("520602100001", "坪山村", m.DivisionLevel.VILLAGE, "520602100000"),
    ("520602100002", "新村", m.DivisionLevel.VILLAGE, "520602100000"),
    ("520602101000", "滑石乡", m.DivisionLevel.TOWNSHIP, COUNTY),
    ("520602101001", "新村", m.DivisionLevel.VILLAGE, "520602101000"),
    ("520602101002", "老屋村", m.DivisionLevel.VILLAGE, "520602101000"),
]

# sources.md's spelling: 户编号 … 经办人, 加分 / 扣分 / 兑换, unsigned points.
LEDGER = [
    ["H001", "张大山", "坪山村", "2025-01-05", "加分", "10", "参加理论学习", "", "", "李会计"],
    ["H001", "张大山", "坪山村", "2025-02-05", "加分", "8", "志愿服务", "", "", "李会计"],
    ["H001", "张大山", "坪山村", "2025-03-01", "扣分", "5", "违规办酒", "", "", "李会计"],
    ["H001", "张大山", "坪山村", "2025-04-01", "兑换", "3", "积分兑换", "食用油", "3", "李会计"],
    ["H002", "王小河", "520602101002", "2025-01-09", "加分", "20", "孝老爱亲", "", "", ""],
    ["H002", "王小河", "520602101002", "2025-01-09", "加分", "20", "孝老爱亲", "", "", ""],
    ["H002", "王小河", "520602101002", "2025/6/1", "兑换", "-25", "", "大米", "25.00", ""],
]


@pytest.fixture
async def county(engine: AsyncEngine) -> AsyncEngine:
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(
            m.Division(code=code, name=name, level=level, parent_code=parent)
            for code, name, level, parent in DIVISIONS
        )
    return engine


def ledger(path: Path, rows: Sequence[Sequence[Any]], **options: Any) -> PassbookLedgerConnector:
    return PassbookLedgerConnector(
        "bijiang-savings", COUNTY, path, "坪山村文明储蓄所", options.pop("rules", RULES), **options
    )


async def sync(engine: AsyncEngine, connector: Connector) -> StreamResult:
    [result] = await SyncRunner(engine, batch_size=3).sync(connector, refresh=False)
    assert result.status is m.SyncStatus.SUCCEEDED, result.error
    assert result.read == result.inserted + result.updated + result.unchanged + result.quarantined
    return result


async def balances(engine: AsyncEngine) -> dict[str, int]:
    """Each household's balance, as the sum of its entries."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(m.Household.household_number, func.sum(m.PointsEntry.points))
            .join(m.PointsAccount, m.PointsAccount.household_id == m.Household.id)
            .join(m.PointsEntry, m.PointsEntry.account_id == m.PointsAccount.id)
            .group_by(m.Household.household_number)
        )
        return {number: int(total) for number, total in rows.all()}


async def quarantined(engine: AsyncEngine) -> dict[int | None, tuple[str | None, str]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(
                m.QuarantinedRecord.row_number,
                m.QuarantinedRecord.column_name,
                m.QuarantinedRecord.reason,
            )
        )
        return {row: (column, reason) for row, column, reason in rows.all()}


async def count(engine: AsyncEngine, model: type[Any]) -> int:
    async with engine.connect() as connection:
        return int((await connection.scalar(select(func.count()).select_from(model))) or 0)


async def test_a_ledger_in_the_spelling_of_sources_md(county: AsyncEngine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ledger.csv", LEDGER_HEADER, LEDGER)
    result = await sync(county, ledger(path, LEDGER))
    assert (result.read, result.inserted, result.quarantined) == (7, 7, 0)
    assert await balances(county) == {"H001": 10, "H002": 15}
    async with create_sessionmaker(county)() as session:
        entries = (await session.scalars(select(m.PointsEntry).order_by(m.PointsEntry.id))).all()
        households = {h.household_number: h for h in await session.scalars(select(m.Household))}
        [bank] = (await session.scalars(select(m.PointsBank))).all()
    assert [(e.kind, e.points) for e in entries[:4]] == [
        (m.PointsEntryKind.EARN, 10),
        (m.PointsEntryKind.EARN, 8),
        (m.PointsEntryKind.DEDUCT, -5),
        (m.PointsEntryKind.REDEEM, -3),
    ]
    assert [e.reason_code for e in entries[:4]] == [
        "study",
        "volunteer_service",
        "banned_banquet",
        "redeem",
    ]
    # Identical rows without an entry number are two entries (two study sessions).
    assert [e.points for e in entries[4:6]] == [20, 20]
    assert entries[3].redeemed_value_fen == 300
    assert entries[3].redeemed_item == "食用油"
    assert entries[6].redeemed_value_fen == 2500
    assert households["H001"].division_code == "520602100001"
    assert households["H002"].division_code == "520602101002"
    assert households["H001"].head_name == "张大山"
    assert (bank.name, bank.redemption_floor, bank.fen_per_point) == ("坪山村文明储蓄所", 10, 100)


async def test_other_banks_spell_columns_and_types_their_own_way(
    county: AsyncEngine, tmp_path: Path
) -> None:
    header = [
        "流水号",
        "储蓄所",
        "户号",
        "户主",
        "区划代码",
        "记录日期",
        "收支类型",
        "积分",
        "原因",
    ]
    rows = [
        [
            "A1",
            "老屋村道德银行",
            "H010",
            "刘一",
            "520602101002",
            "2025-03-01",
            "存入",
            "+12",
            "卫生",
        ],
        ["A2", "老屋村道德银行", "H010", "刘一", "520602101002", "2025-03-02", "支取", "2", "兑换"],
        ["A3", "老屋村道德银行", "H010", "刘一", "520602101002", "2025-03-03", "善行", "4", "帮扶"],
    ]
    rules = BankRules(kind_words={"善行": m.PointsEntryKind.EARN})
    for name, path in (
        ("gbk", write_csv(tmp_path / "bank.csv", header, rows, encoding="gbk")),
        ("xlsx", write_xlsx(tmp_path / "bank.xlsx", header, rows)),
    ):
        connector = PassbookLedgerConnector(f"bank-{name}", COUNTY, path, "unused", rules)
        result = await sync(county, connector)
        assert (result.read, result.quarantined) == (3, 0), name
    async with create_sessionmaker(county)() as session:
        kinds = (await session.scalars(select(m.PointsEntry.kind))).all()
        banks = (await session.scalars(select(m.PointsBank.name))).all()
    assert sorted(k.value for k in kinds) == ["earn", "earn", "earn", "earn", "redeem", "redeem"]
    assert set(banks) == {"老屋村道德银行"}
    # Two sources, one household: the second export found the first one's household.
    assert await count(county, m.Household) == 1
    assert await balances(county) == {"H010": 28}


BAD_ROWS = [
    # row 2: a sign that contradicts the type
    ["H001", "张大山", "坪山村", "2025-01-05", "加分", "-10", "学习", "", "", ""],
    # row 3: zero points
    ["H001", "张大山", "坪山村", "2025-01-05", "加分", "0", "学习", "", "", ""],
    # row 4: a fraction
    ["H001", "张大山", "坪山村", "2025-01-05", "加分", "1.5", "学习", "", "", ""],
    # row 5: above the bank's limit for one entry
    ["H001", "张大山", "坪山村", "2025-01-05", "加分", "500", "学习", "", "", ""],
    # row 6: an entry type the bank does not use
    ["H001", "张大山", "坪山村", "2025-01-05", "转账", "5", "学习", "", "", ""],
    # row 7: a redemption worth more than the bank's rate
    ["H001", "张大山", "坪山村", "2025-01-05", "兑换", "3", "", "毛巾", "30", ""],
    # row 8: fine, 20 points
    ["H001", "张大山", "坪山村", "2025-01-06", "加分", "20", "学习", "", "", ""],
    # row 9: a redemption that would leave 5, below the floor of 10
    ["H001", "张大山", "坪山村", "2025-01-07", "兑换", "15", "", "大米", "", ""],
    # row 10: a household only numbered, known nowhere
    ["H404", "", "", "2025-01-07", "加分", "5", "学习", "", "", ""],
    # row 11: a village name two townships share
    ["H003", "陈二", "新村", "2025-01-07", "加分", "5", "学习", "", "", ""],
    # row 12: a village the county does not have
    ["H004", "林三", "月亮村", "2025-01-07", "加分", "5", "学习", "", "", ""],
    # row 13: a deduction written with a plus sign
    ["H001", "张大山", "坪山村", "2025-01-08", "扣分", "+5", "违规办酒", "", "", ""],
    # row 14: a value on an earning
    ["H001", "张大山", "坪山村", "2025-01-08", "加分", "5", "学习", "", "9", ""],
    # row 15: no date
    ["H001", "张大山", "坪山村", "", "加分", "5", "学习", "", "", ""],
]


async def test_entries_that_break_the_rules_are_quarantined_with_their_reason(
    county: AsyncEngine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "ledger.csv", LEDGER_HEADER, BAD_ROWS)
    result = await sync(county, ledger(path, BAD_ROWS))
    assert (result.read, result.inserted, result.quarantined) == (14, 1, 13)
    reasons = await quarantined(county)
    assert reasons[2] == ("分值", "分值 -10 contradicts 类型 加分: an earning adds points")
    assert reasons[3][1] == "分值 is 0; an entry moves at least one point"
    assert reasons[4][1] == "分值 1.5 is not a whole number of points"
    assert reasons[5][1] == "分值 500 is above this bank's limit of 100 points for one entry"
    assert reasons[6][0] == "类型"
    assert "'转账' is not an entry type" in reasons[6][1]
    assert reasons[7][1] == ("兑换金额(元) 30 does not match 3 points at ¥1 a point (¥3)")
    assert reasons[9][1] == (
        "兑换 of 15 points would leave the passbook at 5, below this bank's floor of 10 "
        "(balance before: 20)"
    )
    assert reasons[10][1] == f"户编号 'H404' is not a known household of county {COUNTY}"
    assert "'新村' is not the name of one division" in reasons[11][1]
    assert "'月亮村' is not the name of one division" in reasons[12][1]
    assert reasons[13][1] == "分值 5 contradicts 类型 扣分: it takes away points"
    assert reasons[14][1] == "兑换金额(元) is given on a 加分 entry; only 兑换 has one"
    assert reasons[15][0] == "日期"
    # Nothing of the refused redemption was booked.
    assert await balances(county) == {"H001": 20}


async def test_reimporting_changes_nothing(county: AsyncEngine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ledger.csv", LEDGER_HEADER, LEDGER)
    await sync(county, ledger(path, LEDGER))
    entries = await count(county, m.PointsEntry)
    again = await sync(county, ledger(path, LEDGER))
    assert (again.read, again.unchanged, again.inserted, again.updated) == (7, 7, 0, 0)
    assert await count(county, m.PointsEntry) == entries
    assert await balances(county) == {"H001": 10, "H002": 15}


async def test_a_later_export_appends_only_what_is_new(county: AsyncEngine, tmp_path: Path) -> None:
    await sync(county, ledger(write_csv(tmp_path / "a.csv", LEDGER_HEADER, LEDGER[:4]), []))
    later = write_csv(tmp_path / "b.csv", LEDGER_HEADER, LEDGER)
    result = await sync(county, ledger(later, LEDGER))
    assert (result.unchanged, result.inserted) == (4, 3)
    assert await balances(county) == {"H001": 10, "H002": 15}


NUMBERED = ["流水号", *LEDGER_HEADER]


async def test_a_changed_entry_is_corrected_by_an_adjustment_never_edited(
    county: AsyncEngine, tmp_path: Path
) -> None:
    first = [["E1", *LEDGER[0]], ["E2", *LEDGER[1]]]
    await sync(county, ledger(write_csv(tmp_path / "1.csv", NUMBERED, first), first))
    # The bank corrected E2 from 8 to 6 points.
    changed = [first[0], ["E2", *LEDGER[1][:5], "6", *LEDGER[1][6:]]]
    path = write_csv(tmp_path / "2.csv", NUMBERED, changed)
    result = await sync(county, ledger(path, changed))
    assert (result.unchanged, result.updated) == (1, 1)
    assert await balances(county) == {"H001": 16}
    async with create_sessionmaker(county)() as session:
        entries = (await session.scalars(select(m.PointsEntry).order_by(m.PointsEntry.id))).all()
    assert [(e.kind, e.points) for e in entries] == [
        (m.PointsEntryKind.EARN, 10),
        (m.PointsEntryKind.EARN, 8),
        (m.PointsEntryKind.ADJUST, -2),
    ]
    assert entries[2].reason == "更正: 志愿服务"
    again = await sync(county, ledger(path, changed))
    assert (again.unchanged, again.updated) == (2, 0)
    assert await balances(county) == {"H001": 16}
    # A change that moves no points cannot be booked without an edit: it is refused.
    reworded = [first[0], [*changed[1][:7], "扶贫帮困", *changed[1][8:]]]
    path = write_csv(tmp_path / "3.csv", NUMBERED, reworded)
    result = await sync(county, ledger(path, reworded))
    assert result.quarantined == 1
    assert "ledger entries are never edited" in (await quarantined(county))[3][1]


async def test_a_start_balance_is_an_entry_of_its_own(county: AsyncEngine, tmp_path: Path) -> None:
    rules = BankRules(start_balance=50)
    path = write_csv(tmp_path / "ledger.csv", LEDGER_HEADER, LEDGER)
    await sync(county, ledger(path, LEDGER, rules=rules))
    await sync(county, ledger(path, LEDGER, rules=rules))
    assert await balances(county) == {"H001": 60, "H002": 65}
    async with create_sessionmaker(county)() as session:
        openings = (
            await session.scalars(
                select(m.PointsEntry).where(m.PointsEntry.reason_code == "opening_balance")
            )
        ).all()
    assert sorted(e.points for e in openings) == [50, 50]


async def test_one_household_across_roster_ledger_credit_and_honour_lists(
    county: AsyncEngine, tmp_path: Path
) -> None:
    roster = write_csv(
        tmp_path / "roster.csv",
        ["户编号", "户主姓名", "区划代码", "家庭住址"],
        [
            ["H001", "张大山", "520602100001", "坪山村3组12号"],
            ["H005", "周五", "520602101002", "老屋村1组2号"],
        ],
    )
    await sync(county, HouseholdRosterConnector("roster", COUNTY, roster))
    # The ledger names H001 by number only and by name and village: the same household.
    rows = [
        ["H001", "", "", "2025-01-05", "加分", "10", "学习", "", "", ""],
        ["H001", "张大山", "坪山村", "2025-01-06", "加分", "10", "学习", "", "", ""],
    ]
    path = write_csv(tmp_path / "ledger.csv", LEDGER_HEADER, rows)
    await sync(county, ledger(path, rows))
    credit = write_xlsx(
        tmp_path / "credit.xlsx",
        ["户编号", "信用等级", "授信额度(万元)", "评定日期", "银行"],
        [
            ["H001", "AAA", 5, "2025-03-01", "铜仁农商银行"],
            ["H005", "aa", "3.5", "2025-03-01", "铜仁农商银行"],
            ["H404", "A", "1", "2025-03-01", "铜仁农商银行"],
            ["H005", "Z", "1", "2025-03-01", "铜仁农商银行"],
        ],
    )
    result = await sync(county, CreditListConnector("credit", COUNTY, credit))
    assert (result.inserted, result.quarantined) == (2, 2)
    honours = write_csv(
        tmp_path / "honours.csv",
        ["户主", "区划", "称号", "级别", "年度"],
        [
            ["张大山", "坪山村", "最美家庭", "省级", "2024年度"],  # matched by name
            ["周五", "520602101002", "文明家庭", "市级", "2023"],  # matched by name
            ["钱六", "老屋村", "最美家庭", "县级", "2024"],  # a household of its own
            ["孙七", "老屋村", "最美家庭", "乡级", "2024"],  # no such level
        ],
        encoding="gbk",
    )
    connector = HonourListConnector("honours", COUNTY, honours, CIPHER)
    result = await sync(county, connector)
    assert (result.read, result.quarantined) == (4, 1)
    again = await sync(county, HonourListConnector("honours", COUNTY, honours, CIPHER))
    assert (again.unchanged, again.quarantined) == (3, 1)
    async with create_sessionmaker(county)() as session:
        households = {h.head_name: h for h in (await session.scalars(select(m.Household))).all()}
        ratings = (await session.scalars(select(m.CreditRating))).all()
        titles = (await session.scalars(select(m.HouseholdHonour))).all()
    assert set(households) == {"张大山", "周五", "钱六"}
    h001 = households["张大山"]
    assert (h001.household_number, h001.address) == ("H001", "坪山村3组12号")
    assert {r.household_id: (r.grade, r.credit_line_yuan) for r in ratings} == {
        h001.id: ("AAA", 50_000),
        households["周五"].id: ("AA", 35_000),
    }
    assert {(t.household_id, t.level) for t in titles} == {
        (h001.id, m.HonourLevel.PROVINCIAL),
        (households["周五"].id, m.HonourLevel.CITY),
        (households["钱六"].id, m.HonourLevel.COUNTY),
    }
    # A household known only by name gets a number that does not reveal the name.
    assert households["钱六"].household_number.startswith("N")
    assert "钱六" not in households["钱六"].household_number
    assert await balances(county) == {"H001": 20}


def test_bank_rules_come_from_the_sources_file(tmp_path: Path) -> None:
    (tmp_path / "ledger.csv").write_text(",".join(LEDGER_HEADER), encoding="utf-8")
    (tmp_path / "wenming.toml").write_text(
        """
[[source]]
name = "bijiang-savings"
kind = "points_ledger"
county = "520602"
path = "ledger.csv"
bank = "碧江区文明储蓄所"
[source.rules]
yuan_per_point = 0.5
redemption_floor = 10
kinds = { "善行" = "earn" }
[source.banks."坪山村文明储蓄所".rules]
redemption_floor = 0
""",
        encoding="utf-8",
    )
    [source] = load_sources(tmp_path / "wenming.toml")
    connector = build_connector(source, CIPHER)
    assert isinstance(connector, PassbookLedgerConnector)
    assert isinstance(source.spec, PointsLedgerSource)
    rules = source.spec.rules.bank_rules()
    assert rules.yuan_per_point == Decimal("0.5")
    assert rules.fen_per_point == 50
    assert rules.kind_of("善行") is m.PointsEntryKind.EARN
    assert source.spec.banks["坪山村文明储蓄所"].rules.redemption_floor == 0
    text = (tmp_path / "wenming.toml").read_text(encoding="utf-8")
    with pytest.raises(SourceConfigError, match=r"`rules\.floor` is not a setting"):
        parse_sources(text.replace("redemption_floor = 10", "floor = 3"), tmp_path / "w.toml")
    with pytest.raises(SourceConfigError, match="is one of earn, deduct"):
        parse_sources(text.replace('"earn"', '"gift"'), tmp_path / "w.toml")
