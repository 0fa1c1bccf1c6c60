"""Ingesting volunteers from the national registry's export format.

    python -m bench.ingest [--rows 596000] [--database-url URL]

Writes a CSV export of synthetic volunteers (Tongren's 596,000 by default), syncs it
through the real connector and runner, and then loads the same rows with a bare
`executemany` (SQLite) or `COPY` (PostgreSQL) as the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.stats import pace
from connectors.sync import BATCH_SIZE, SyncRunner
from connectors.volunteers.registry import RegistryExportConnector
from connectors.volunteers.settings import EXPORT_VOLUNTEER_HEADER
from db import migrate
from db import models as m
from db.base import table_of
from db.engine import create_engine
from db.pii import PersonalDataCipher
from demo.people import make_person

COUNTY = "520602"


def write_export(path: Path, rows: int) -> list[list[str]]:
    """The export file, and the first rows kept for the floor measurement."""
    rng, taken = random.Random(7), set[str]()
    kept: list[list[str]] = []
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_VOLUNTEER_HEADER)
        for number in range(rows):
            person = make_person(rng, COUNTY, taken)
            registered = date(2016, 1, 1) + timedelta(days=rng.randrange(3000))
            row = [
                f"ZYZ{number:09d}",
                person.name,
                "居民身份证",
                person.id_number,
                "男" if person.is_male else "女",
                person.birth_date.isoformat(),
                person.phone,
                "群众",
                registered.isoformat(),
                "",
                COUNTY,
                f"{rng.randrange(0, 3000) / 10}",
            ]
            writer.writerow(row)
            if number < 50_000:
                kept.append(row)
    return kept


async def run(url: str, rows: int, batch_size: int) -> None:
    cipher = PersonalDataCipher("wenming-benchmark-secret-000")
    with tempfile.TemporaryDirectory() as directory:
        export = Path(directory) / "volunteers.csv"
        started = time.perf_counter()
        kept = write_export(export, rows)
        written = time.perf_counter() - started
        engine = create_engine(url)
        await migrate.upgrade(engine)
        await _prepare(engine)
        connector = RegistryExportConnector("bench-registry", COUNTY, None, export, cipher)
        pace_before = pace()
        began, own, children = time.perf_counter(), _cpu(), _cpu(resource.RUSAGE_CHILDREN)
        [result] = await SyncRunner(engine, batch_size=batch_size).sync(connector, refresh=False)
        seconds = time.perf_counter() - began
        own, children = _cpu() - own, _cpu(resource.RUSAGE_CHILDREN) - children
        pace_after = pace()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        mapping_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        floor_rows, floor_seconds = await _floor(engine, kept, cipher)
        await engine.dispose()
    database = url.split(":")[0]
    print(f"{rows:,} volunteers, national export format, {database}, batches of {batch_size:,}")
    print(f"  writing the CSV export: {written:.1f} s ({export.name})")
    print(
        f"  machine pace (10 M additions in a Python loop): {pace_before:.2f} s before the "
        f"sync, {pace_after:.2f} s after"
    )
    outcome = (
        f"{result.status.value}, {result.inserted:,} inserted, {result.quarantined:,} quarantined"
    )
    rate = rows / seconds
    print(f"  sync: {outcome}, {seconds:.1f} s = {rate:,.0f} rows/s; peak RSS {peak:.0f} MiB")
    print(
        f"  CPU: {own:.1f} s in the hub's process, {children:.1f} s in the mapping process "
        f"(peak RSS {mapping_peak:.0f} MiB)"
    )
    floor_rate = floor_rows / floor_seconds
    print(
        f"  floor (bare insert of {floor_rows:,} rows, sealing included): {floor_rate:,.0f} rows/s"
    )
    print(f"  ratio floor / sync: {floor_rate / (rows / seconds):.1f}")


def _cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


async def _prepare(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            insert(table_of(m.Division)).values(
                code=COUNTY, name="碧江区", level=m.DivisionLevel.COUNTY, parent_code=None
            )
        )


async def _floor(
    engine: AsyncEngine, rows: list[list[str]], cipher: PersonalDataCipher
) -> tuple[int, float]:
    """The same rows with nothing but sealing and a bulk insert: no validation, no provenance
    checks, no look-ups. COPY on PostgreSQL, executemany on SQLite."""
    table = table_of(m.Volunteer)
    async with engine.begin() as connection:
        await connection.execute(delete(table))
    began = time.perf_counter()
    stamp = datetime.now(UTC)
    values = [
        {
            "id": index + 1,
            "county_code": COUNTY,
            "volunteer_number": row[0],
            "person_key": cipher.person_key(row[3]),
            "real_name": row[1],
            "id_number_sealed": cipher.seal(row[3]),
            "phone_sealed": cipher.seal(row[6]),
            "gender": "male" if row[4] == "男" else "female",
            "political_status": row[7],
            "registered_on": date.fromisoformat(row[8]),
            "service_minutes": round(float(row[11]) * 60),
            "source_system": "floor",
            "source_id": row[0],
            "content_hash": "",
            "retired_at": None,
        }
        for index, row in enumerate(rows)
    ]
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            columns = [*values[0], "first_seen_at", "last_seen_at"]
            records = [(*row.values(), stamp, stamp) for row in values]
            await driver.copy_records_to_table("volunteers", records=records, columns=columns)
        else:
            await connection.execute(
                insert(table),
                [{**row, "first_seen_at": stamp, "last_seen_at": stamp} for row in values],
            )
    return len(rows), time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=596_000)
    parser.add_argument("--database-url")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    arguments = parser.parse_args()
    if arguments.database_url:
        asyncio.run(run(arguments.database_url, arguments.rows, arguments.batch_size))
        return
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'ingest.sqlite3'}"
        asyncio.run(run(url, arguments.rows, arguments.batch_size))


if __name__ == "__main__":
    main()
