"""What disclosure control and the audit of personal-data reads add, on the demo.

    python -m bench.disclosure [--runs 100] [--database-url URL]

1. Ranking Tongren's counties by points deducted in 2026: for an outsider (figures cut
   into blocks, see resolvers/disclosure.py) against an admin (figures as they are).
2. A staff answer with 100 volunteers' names, ID numbers and phones and 100 households'
   heads and addresses: with the audit insert against the same schema without it.

Without --database-url the demo goes into a temporary SQLite file. Target: each adds
under 10 %.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from bench.stats import percentile, run_on_database, summary, time_calls
from db import migrate
from db.engine import create_engine, create_sessionmaker
from db.metrics import METRICS
from db.models import DivisionLevel
from db.pii import PersonalDataCipher
from demo.generator import DemoOptions
from demo.load import load_demo
from resolvers.comparison import Weighted, rank_divisions
from resolvers.context import Context
from resolvers.periods import Period
from resolvers.viewer import Role, Viewer
from schema import audit, build_schema

SECRET = "wenming-benchmark-secret-000"
STAFF = Viewer(Role.PROVINCE_STAFF, frozenset({"520000"}), "bench staff")
PERSONAL = """
query Personal {
  volunteers(first: 100, filter: {divisionCode: "520600"}) {
    nodes { id realName idNumber phone }
  }
  households(first: 100, filter: {divisionCode: "520600"}) {
    nodes { id headName address }
  }
}
"""


async def run(url: str, runs: int) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    cipher = PersonalDataCipher(SECRET)
    await load_demo(engine, cipher, DemoOptions(scale=0.02))
    sessionmaker = create_sessionmaker(engine)
    weights = [Weighted(METRICS["points_deducted"], 1)]
    year = Period.parse("2026")

    def ranking(viewer: Viewer) -> Any:
        return lambda: rank_divisions(
            sessionmaker, viewer, 5, "520600", DivisionLevel.COUNTY, weights, year
        )

    outsider, admin = await _side_by_side(
        ranking(Viewer()), ranking(Viewer(Role.ADMIN, name="admin")), runs
    )
    shown = [entry for entry in await ranking(Viewer())() if not entry.value.suppressed]

    schema = build_schema()

    async def personal() -> object:
        result = await schema.execute(
            PERSONAL, context_value=Context(sessionmaker, cipher, viewer=STAFF)
        )
        assert result.errors is None, result.errors
        return result.data

    recording = audit.AuditReads.on_execute

    async def not_recorded(_self: audit.AuditReads) -> AsyncIterator[None]:
        yield

    async def unaudited_personal() -> object:
        audit.AuditReads.on_execute = not_recorded  # type: ignore[method-assign,assignment]
        try:
            return await personal()
        finally:
            audit.AuditReads.on_execute = recording  # type: ignore[method-assign]

    audited, unaudited = await _side_by_side(personal, unaudited_personal, runs)
    await engine.dispose()

    database = url.split(":")[0]
    print(f"Disclosure control and audit, demo at scale 0.02, {runs} runs, {database}")
    print(f"  ranking, outsider (blocks)  {summary(outsider)}   {len(shown)} counties shown")
    print(f"  ranking, admin              {summary(admin)}")
    print(f"  personal answer, audited    {summary(audited)}")
    print(f"  personal answer, no audit   {summary(unaudited)}")
    for label, ours, base in (
        ("suppression on a ranking", outsider, admin),
        ("audit on a personal answer", audited, unaudited),
    ):
        added = percentile(ours, 0.5) / percentile(base, 0.5) - 1
        print(f"  added by {label}: {added:+.1%} at p50")


async def _side_by_side(
    first: Callable[[], Awaitable[object]], second: Callable[[], Awaitable[object]], runs: int
) -> tuple[list[float], list[float]]:
    """Each call timed in turn with the other, so that the machine's drift from minute
    to minute falls on both alike."""
    await time_calls(first, 3)
    await time_calls(second, 3)
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for call, found in ((first, samples[0]), (second, samples[1])):
            started = time.perf_counter()
            await call()
            found.append(time.perf_counter() - started)
    return samples


def main() -> None:
    run_on_database(run, __doc__)


if __name__ == "__main__":
    main()
