"""A year of passbook ledgers for Tongren's 45,000 households, and the queries over them.

    python -m bench.points [--households 45000] [--runs 30] [--database-url URL]

Writes one county's ledger export (sources.md's spelling, 125 savings offices, about
eight entries per household over a year), syncs it through the real connector and
runner (households placed in their villages, passbooks, append-only entries, the floor
checked on every redemption), refreshes the rollup, then times what county staff and
the province ask of it: a page of passbooks with their balances and latest entries,
and the public aggregates (points issued, deducted and redeemed, yuan redeemed,
honoured households) per township for the year.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.stats import summary, time_calls
from connectors.points.ledger import PassbookLedgerConnector
from connectors.points.settings import LEDGER_HEADER, BankRules
from connectors.sync import SyncRunner
from db import migrate
from db import models as m
from db.base import table_of
from db.engine import create_engine, create_sessionmaker
from db.pii import PersonalDataCipher
from db.rollup import refresh_rollup
from resolvers.context import Context
from resolvers.viewer import Role, Viewer
from schema import build_schema

COUNTY = "520602"
TOWNSHIPS, VILLAGES_PER_TOWNSHIP, BANKS = 10, 25, 125
SECRET = "wenming-benchmark-secret-000"
PASSBOOKS = """
query Passbooks($after: String) {
  households(first: 50, after: $after, filter: {divisionCode: "520602"}) {
    pageInfo { endCursor }
    edges { node { headName pointsAccount { balance bank { name }
      entries(first: 5) { edges { node { kind points occurredOn } } } } } }
  }
}
"""
AGGREGATES = f"""
{{ compare(divisionCodes: [{", ".join(f'"{COUNTY}{t + 100:03d}000"' for t in range(10))}],
           period: {{name: "2025"}},
           metrics: ["points_issued", "points_deducted", "points_redeemed", "yuan_redeemed",
                     "honoured_households"]) {{
    division {{ code }} values {{ value missing suppressed }} }} }}
"""


def write_ledger(path: Path, households: int) -> int:
    """A year of entries for each household: earnings, now and then a deduction, and
    redemptions that never take a passbook below the floor of 10."""
    rng, rows = random.Random(11), 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*LEDGER_HEADER, "储蓄所"])
        for index in range(households):
            village = index % (TOWNSHIPS * VILLAGES_PER_TOWNSHIP)
            code = _village_code(village)
            number, head = f"{code}{index:05d}", f"户主{index}"
            bank = f"第{index % BANKS + 1}文明储蓄所"
            balance = 0
            for month in range(1, 13):
                day = date(2025, month, 1) + timedelta(days=rng.randrange(27))
                if rng.random() < 0.6:
                    points = rng.randrange(2, 11)
                    balance += points
                    row = [day, "加分", points, "参加理论学习", "", ""]
                elif rng.random() < 0.1:
                    balance -= 5
                    row = [day, "扣分", 5, "违规办酒", "", ""]
                elif balance >= 15:
                    points = rng.randrange(1, balance - 9)
                    balance -= points
                    row = [day, "兑换", points, "积分兑换", "食用油", f"{points}.00"]
                else:
                    continue
                writer.writerow([number, head, code, *row, "村会计", bank])
                rows += 1
    return rows


def _village_code(village: int) -> str:
    township, serial = divmod(village, VILLAGES_PER_TOWNSHIP)
    return f"{COUNTY}{township + 100:03d}{serial + 1:03d}"


async def _divisions(url: str) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    level = m.DivisionLevel
    rows = [
        _division("520000", "贵州省", level.PROVINCE, None),
        _division("520600", "铜仁市", level.PREFECTURE, "520000"),
        _division(COUNTY, "碧江区", level.COUNTY, "520600"),
    ]
    for township in range(TOWNSHIPS):
        code = f"{COUNTY}{township + 100:03d}000"
        rows.append(_division(code, f"镇{township}", level.TOWNSHIP, COUNTY))
        rows += [
            _division(
                _village_code(township * VILLAGES_PER_TOWNSHIP + serial),
                f"镇{township}村{serial}",
                level.VILLAGE,
                code,
            )
            for serial in range(VILLAGES_PER_TOWNSHIP)
        ]
    async with engine.begin() as connection:
        await connection.execute(insert(table_of(m.Division)), rows)
    await engine.dispose()


def _division(
    code: str, name: str, level: m.DivisionLevel, parent: str | None
) -> dict[str, object]:
    return {"code": code, "name": name, "level": level, "parent_code": parent}


async def run(url: str, households: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        ledger = Path(directory) / "ledger.csv"
        rows = write_ledger(ledger, households)
        await _divisions(url)
        engine = create_engine(url)
        connector = PassbookLedgerConnector(
            "bench-savings", COUNTY, ledger, "碧江区文明储蓄所", BankRules(redemption_floor=10)
        )
        began = time.perf_counter()
        [result] = await SyncRunner(engine, batch_size=2000).sync(connector, refresh=False)
        seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.perf_counter()
    await refresh_rollup(engine)
    refreshed = time.perf_counter() - began
    print(f"{households:,} households, {rows:,} ledger entries, {url.split(':')[0]}")
    print(
        f"  sync: {result.status.value}, {result.inserted:,} inserted, "
        f"{result.quarantined:,} quarantined, {seconds:.1f} s = {rows / seconds:,.0f} rows/s; "
        f"peak RSS {peak:.0f} MiB"
    )
    print(f"  rollup refresh: {refreshed:.1f} s")
    schema, sessionmaker = build_schema(), create_sessionmaker(engine)
    cipher = PersonalDataCipher(SECRET)
    staff = Viewer(Role.COUNTY_STAFF, frozenset({COUNTY}), "bench")
    pages: list[str | None] = [None]

    async def passbooks() -> None:
        response = await schema.execute(
            PASSBOOKS,
            variable_values={"after": pages[-1]},
            context_value=Context(sessionmaker, cipher, staff),
        )
        assert response.errors is None, response.errors
        assert response.data is not None
        pages.append(response.data["households"]["pageInfo"]["endCursor"])

    async def aggregates() -> None:
        response = await schema.execute(AGGREGATES, context_value=Context(sessionmaker, cipher))
        assert response.errors is None, response.errors

    timings = (
        ("50 passbooks, balances, 5 entries each (staff)", passbooks),
        ("points aggregates per township, 2025 (public)", aggregates),
    )
    for name, call in timings:
        print(f"  {name:48} {summary(await time_calls(call, runs))}")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=45_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    if arguments.database_url:
        asyncio.run(run(arguments.database_url, arguments.households, arguments.runs))
        return
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'points.sqlite3'}"
        asyncio.run(run(url, arguments.households, arguments.runs))


if __name__ == "__main__":
    main()
