"""`wenming sync` and `wenming sources`: running the configured sources, and where they stand."""

from __future__ import annotations

import asyncio
import signal
import sys
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
from hub.progress import SyncProgress
from hub.source_checks import require_known_counties

__all__ = ["run_sync", "show_sources"]

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_COLUMNS = ("read", "inserted", "updated", "unchanged", "quarantined", "retired")


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
    progress = SyncProgress(out)
    try:
        progress.expect(await _last_counts(engine, sources))
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
                await connector.close()
            if results and results[-1].status is m.SyncStatus.INTERRUPTED:
                break
    finally:
        progress.done()
    _table(results, out)
    return results


async def _last_counts(
    engine: AsyncEngine, sources: Sequence[SourceConfig]
) -> dict[tuple[str, str], int]:
    """Records each stream read at its last successful run: what this one may expect."""
    run = m.SyncRun
    latest = (
        select(run.source, run.stream, func.max(run.id).label("id"))
        .where(run.status == m.SyncStatus.SUCCEEDED, run.source.in_([s.name for s in sources]))
        .group_by(run.source, run.stream)
        .subquery()
    )
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(run.source, run.stream, run.records_read).join(latest, run.id == latest.c.id)
        )
        return {(source, stream): read for source, stream, read in rows if read}


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
