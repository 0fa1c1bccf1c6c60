"""Ranking Weifang's counties over 10 metrics, from the rollup and by direct SQL.

    python -m bench.ranking [--scale 1.0] [--runs 50] [--database-url URL]

At --scale 1.0 the demo holds Weifang's published figures: 13 county centers, 134
institutes, 4,017 stations, 1.41 million volunteers and a year of activities.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.stats import percentile, summary, time_calls
from db import migrate
from db.engine import create_engine, create_sessionmaker
from db.metrics import METRICS
from db.models import DivisionLevel
from db.pii import PersonalDataCipher
from db.rollup import refresh_rollup
from demo.generator import DemoOptions
from demo.load import load_demo
from demo.places import PLACES
from resolvers.periods import Period
from resolvers.stats import _direct_parts, _rollup_parts

TEN_METRICS = (
    "station_coverage",
    "institute_coverage",
    "demonstration_sites",
    "registered_volunteers",
    "active_volunteers",
    "volunteer_hours",
    "activities",
    "people_served",
    "orders_placed",
    "order_fulfilment_rate",
)
WEIFANG = next(place for place in PLACES if place.key == "weifang")


async def run(url: str, scale: float, runs: int) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    started = time.perf_counter()
    options = DemoOptions(scale=scale, places=(WEIFANG,))
    written = await load_demo(engine, PersonalDataCipher("wenming-benchmark-secret-000"), options)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    loaded = time.perf_counter() - started
    refreshed = time.perf_counter()
    rollup_rows = await refresh_rollup(engine)
    refresh_seconds = time.perf_counter() - refreshed
    sessionmaker = create_sessionmaker(engine)
    period = Period.parse("2026")

    def ranking(parts: Callable[..., Awaitable[object]]) -> Callable[[], Awaitable[None]]:
        async def rank_all() -> None:
            async with sessionmaker() as session:
                for code in TEN_METRICS:
                    for when in (period, period.previous()):
                        await parts(
                            session, METRICS[code], when, DivisionLevel.COUNTY, "370700", None
                        )

        return rank_all

    from_rollup = await time_calls(ranking(_rollup_parts), runs)
    direct = await time_calls(ranking(_direct_parts), runs)
    await engine.dispose()
    volunteers, activities, sites = written["volunteers"], written["activities"], written["sites"]
    p50 = percentile(direct, 0.5) / percentile(from_rollup, 0.5)
    p95 = percentile(direct, 0.95) / percentile(from_rollup, 0.95)
    shape = f"{volunteers:,} volunteers, {activities:,} activities, {sites:,} sites"
    print(f"Weifang at scale {scale}: {shape}")
    print(f"  database {url.split(':')[0]}; demo load {loaded:.1f} s, peak RSS {peak_mib:.0f} MiB")
    print(f"  rollup refresh {refresh_seconds:.2f} s, {rollup_rows:,} rows")
    print(f"  ranking of 13 counties over 10 metrics (this period and the previous), {runs} runs")
    print(f"    from the rollup   {summary(from_rollup)}")
    print(f"    direct group-by   {summary(direct)}")
    print(f"    ratio direct / rollup: p50 {p50:.1f}  p95 {p95:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--database-url", help="an empty database (default: a temporary SQLite file)"
    )
    arguments = parser.parse_args()
    if arguments.database_url:
        asyncio.run(run(arguments.database_url, arguments.scale, arguments.runs))
        return
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        asyncio.run(run(url, arguments.scale, arguments.runs))


if __name__ == "__main__":
    main()
