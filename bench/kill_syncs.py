"""Kill real `wenming sync` runs at random moments, N times, and check what must hold.

Each round starts a registry sync of PEOPLE volunteers, waits a random while (from
before the first batch to past the end), then sends SIGKILL or SIGTERM to the sync or
SIGKILL to its mapping process. Between rounds a random few rows of the export change,
so that later runs update as well as insert. After the last round one sync runs to the
end. Then it checks, and prints:

- no process outlived its sync (the mapping process dies with its parent);
- no round found the source locked by a dead run (every next run took over at once);
- every volunteer is stored once, and the rollup counts what is stored;
- no lock is left and no run is left `running`;
- every run accounts for what it read (stored + quarantined, never more).

    python -m bench.kill_syncs --kills 40
    python -m bench.kill_syncs --kills 40 --database-url postgresql+asyncpg://127.0.0.1/scratch

A --database-url is emptied first: give a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from connectors.identity import id_checksum
from connectors.volunteers.settings import EXPORT_VOLUNTEER_HEADER
from db import migrate
from db import models as m
from db.bulk import delete_all
from db.engine import create_engine, create_sessionmaker

SECRET = "bench-kill-syncs-secret-0123456789abcdef"
COUNTY = "522601"


def _export(path: Path, people: int, changed: set[int]) -> None:
    """The registry's export: `people` volunteers; the rows in `changed` with more hours."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_VOLUNTEER_HEADER)
        for index in range(people):
            # One birth day per person for 20,000 people, then the next sequence number:
            # two rows with one ID number would be one person, rightly.
            born = date(1950, 1, 1) + timedelta(days=index % 20_000)
            first17 = f"{COUNTY}{born:%Y%m%d}{index // 20_000 % 1000:03d}"
            hours = index % 50 + (7 if index in changed else 0)
            writer.writerow(
                [
                    f"V{index:07d}",
                    f"志愿者{index}",
                    "居民身份证",
                    first17 + id_checksum(first17),
                    "男" if index % 2 else "女",
                    born.isoformat(),
                    f"139{index:08d}",
                    "群众",
                    "2021-03-05",
                    "",
                    COUNTY,
                    str(hours),
                ]
            )


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid:
            found.append(int(entry.name))
    return found


def _is_resource_tracker(pid: int) -> bool:
    """multiprocessing's helper process, not the one mapping records."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def _prepare(url: str) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await delete_all(engine)
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(
            [
                m.Division(code="520000", name="贵州省", level=m.DivisionLevel.PROVINCE),
                m.Division(
                    code="522600",
                    name="黔东南苗族侗族自治州",
                    level=m.DivisionLevel.PREFECTURE,
                    parent_code="520000",
                ),
                m.Division(
                    code=COUNTY, name="凯里市", level=m.DivisionLevel.COUNTY, parent_code="522600"
                ),
            ]
        )
    await engine.dispose()


async def _sync(url: str, sources: Path, log: Path) -> asyncio.subprocess.Process:
    environment = {
        **os.environ,
        "WENMING_DATABASE_URL": url,
        "WENMING_SECRET_KEY": SECRET,
        "WENMING_SOURCES_FILE": str(sources),
    }
    return await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("wenming")),
        "sync",
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


async def _check(url: str, people: int) -> list[str]:
    """What does not hold, in words (nothing: all holds)."""
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        stored = await session.scalar(select(func.count()).select_from(m.Volunteer))
        persons = await session.scalar(select(func.count(m.Volunteer.person_key.distinct())))
        rolled = await session.scalar(
            select(func.sum(m.RollupValue.numerator)).where(
                m.RollupValue.metric == "registered_volunteers",
                m.RollupValue.period_kind == m.PeriodKind.MONTH,
            )
        )
        locks = await session.scalar(select(func.count()).select_from(m.SyncLock))
        runs = (await session.scalars(select(m.SyncRun))).all()
    await engine.dispose()
    broken = []
    if not stored == persons == people:
        broken.append(f"{stored} volunteers stored, {persons} distinct, {people} in the file")
    if rolled != people:
        broken.append(f"the rollup counts {rolled} volunteers, {people} are stored")
    if locks:
        broken.append(f"{locks} lock(s) left")
    running = [run.id for run in runs if run.status is m.SyncStatus.RUNNING]
    if running:
        broken.append(f"runs left running: {running}")
    for run in runs:
        accounted = run.inserted + run.updated + run.unchanged + run.quarantined
        if accounted > run.records_read or (
            run.status is m.SyncStatus.SUCCEEDED and accounted != run.records_read
        ):
            broken.append(f"run {run.id} read {run.records_read}, accounted for {accounted}")
    return broken


async def run(url: str, kills: int, people: int, seed: int) -> int:
    chance = random.Random(seed)
    await _prepare(url)
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        export, log = directory / "volunteers.csv", directory / "sync.log"
        sources = directory / "wenming.toml"
        sources.write_text(
            f'[[source]]\nname = "registry"\nkind = "registry_export"\ncounty = "{COUNTY}"\n'
            f'volunteers = "{export}"\n',
            encoding="utf-8",
        )
        _export(export, people, set())
        began = time.perf_counter()
        clean = await _sync(url, sources, log)
        await clean.wait()
        full = time.perf_counter() - began
        print(f"a whole first sync of {people:,} volunteers: {full:.1f} s")
        await _prepare(url)
        tally: Counter[str] = Counter()
        orphans = busy = 0
        for _ in range(kills):
            _export(export, people, set(chance.sample(range(people), people // 50)))
            sync = await _sync(url, sources, log)
            await asyncio.sleep(chance.uniform(0.2, full * 1.1))
            children = _children(sync.pid)
            workers = [child for child in children if not _is_resource_tracker(child)]
            how = chance.choice(["SIGKILL", "SIGTERM", "SIGKILL the mapping process"])
            if sync.returncode is None:
                if how == "SIGTERM":
                    sync.send_signal(signal.SIGTERM)
                elif how == "SIGKILL" or not workers:
                    sync.kill()
                else:
                    os.kill(workers[0], signal.SIGKILL)
            code = await sync.wait()
            tally[f"{how}: exit {code}"] += 1
            await asyncio.sleep(1)
            orphans += sum(1 for child in children if _alive(child))
            if "being synced by" in log.read_text(encoding="utf-8", errors="replace"):
                busy += 1
                log.write_text("", encoding="utf-8")
        last = await _sync(url, sources, log)
        code = await last.wait()
    for what, count in sorted(tally.items()):
        print(f"  {count:>4}  {what}")
    print(f"orphaned processes: {orphans}; rounds that found the source locked: {busy}")
    broken = await _check(url, people)
    if code != 0:
        broken.append(f"the last, undisturbed sync exited {code}")
    print("all invariants hold" if not broken else "BROKEN:\n  " + "\n  ".join(broken))
    return 1 if broken or orphans or busy else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'kills.sqlite3'}"
        code = asyncio.run(run(url, arguments.kills, arguments.people, arguments.seed))
    sys.exit(code)


if __name__ == "__main__":
    main()
