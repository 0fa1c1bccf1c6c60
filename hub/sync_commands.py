"""`wenming sync` and `wenming sources`: running the configured sources, and where they stand."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from functools import partial
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.config import SourceConfig, build_connector
from connectors.sync import StreamResult, SyncRunner
from db import models as m
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher
from db.secret import claim_key
from hub.source_checks import require_known_counties

__all__ = ["run_sync", "show_sources"]

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_COLUMNS = ("read", "inserted", "updated", "unchanged", "quarantined", "retired")


class _Progress:
    """One line per stream, rewritten in place on a terminal."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._live = out.isatty()
        self._started: dict[str, float] = {}

    def __call__(self, source: str, stream: str, read: int) -> None:
        key = f"{source}/{stream}"
        started = self._started.setdefault(key, time.perf_counter())
        rate = read / max(time.perf_counter() - started, 1e-6)
        if self._live:
            self._out.write(f"\r  {key:<40} {read:>10,} read  {rate:>9,.0f}/s")
            self._out.flush()

    def done(self) -> None:
        if self._live:
            self._out.write("\n")


async def run_sync(
    engine: AsyncEngine,
    sources: Sequence[SourceConfig],
    cipher: PersonalDataCipher,
    out: TextIO | None = None,
    *,
    accept_shrink: bool = False,
) -> list[StreamResult]:
    out = out or sys.stderr
    await require_known_counties(engine, sources)
    # Sealing with another key than the stored data's would leave two keys in one table.
    await claim_key(engine, cipher)
    results: list[StreamResult] = []
    progress = _Progress(out)
    loop = asyncio.get_running_loop()
    for source in sources:
        connector = build_connector(source, cipher)
        runner = SyncRunner(engine, county_code=source.county, accept_shrink=accept_shrink)
        # What systemd, a container stop or Ctrl-C sends: finish the batch, commit, unlock.
        for stop in _STOP_SIGNALS:
            with suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(stop, runner.request_stop)
        try:
            results += await runner.sync(connector, progress=partial(progress, source.name))
        finally:
            for stop in _STOP_SIGNALS:
                with suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(stop)
            progress.done()
            await connector.close()
        if results and results[-1].status is m.SyncStatus.INTERRUPTED:
            break
    _table(results, out)
    return results


def _table(results: Sequence[StreamResult], out: TextIO) -> None:
    header = f"{'source':<24} {'stream':<12} {'status':<10}" + "".join(f"{c:>12}" for c in _COLUMNS)
    out.write(header + "\n")
    for result in results:
        counts = "".join(f"{getattr(result, c):>12,}" for c in _COLUMNS)
        out.write(f"{result.source:<24} {result.stream:<12} {result.status.value:<10}{counts}\n")
        if result.error:
            out.write(f"    {result.error}\n")


async def show_sources(
    engine: AsyncEngine, sources: Sequence[SourceConfig], out: TextIO | None = None
) -> None:
    """Each source's streams: last run, its counts, the saved cursor, what waits in quarantine."""
    out = out or sys.stdout
    async with create_sessionmaker(engine)() as session:
        for source in sources:
            waiting = (
                await session.execute(
                    select(func.count())
                    .select_from(m.QuarantinedRecord)
                    .where(
                        m.QuarantinedRecord.source == source.name,
                        m.QuarantinedRecord.resolved_at.is_(None),
                    )
                )
            ).scalar_one()
            kind = f"{source.kind}, county {source.county}"
            out.write(f"{source.name} ({kind}): {waiting:,} in quarantine\n")
            runs = (
                await session.scalars(
                    select(m.SyncRun)
                    .where(m.SyncRun.source == source.name)
                    .order_by(m.SyncRun.id.desc())
                )
            ).all()
            latest: dict[str, m.SyncRun] = {}
            for run in runs:
                latest.setdefault(run.stream, run)
            if not latest:
                out.write("    never synced\n")
            for stream, run in sorted(latest.items()):
                cursor = await session.get(m.SyncCursor, (source.name, stream))
                counts = ", ".join(
                    f"{c} {getattr(run, 'records_read' if c == 'read' else c):,}" for c in _COLUMNS
                )
                finished = (
                    f"{run.finished_at:%Y-%m-%d %H:%M} UTC" if run.finished_at else "still running"
                )
                shown = cursor.cursor[:60] if cursor else "none"
                out.write(f"    {stream:<12} {run.status.value:<10} {finished}  {counts}\n")
                out.write(f"    {'':<12} cursor: {shown}\n")
