"""Replaying and dismissing quarantined records for a GraphQL caller: the same loop as
`wenming quarantine`, with the source's configuration read from the hub's sources file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.config import load_sources
from connectors.errors import ConnectorError
from connectors.quarantine import dismiss, replay_by_source
from db import models as m
from db.pii import PersonalDataCipher

__all__ = ["QuarantineRefused", "Replayed", "dismiss_entries", "entries_by_id", "replay_entries"]

# Enough for a page of the quarantine at a time; a whole file is the CLI's work.
MOST_AT_ONCE = 500


class QuarantineRefused(Exception):
    """What was asked of the quarantine cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class Replayed:
    stored: int
    refused_again: int
    replaced: int
    records: list[m.QuarantinedRecord]


async def entries_by_id(session: AsyncSession, ids: Sequence[int]) -> list[m.QuarantinedRecord]:
    if len(ids) > MOST_AT_ONCE:
        raise QuarantineRefused(f"at most {MOST_AT_ONCE} records at once ({len(ids)} asked)")
    rows = await session.scalars(
        select(m.QuarantinedRecord).where(m.QuarantinedRecord.id.in_(list(ids)))
    )
    return sorted(rows, key=lambda row: row.id)


async def replay_entries(
    sessionmaker: async_sessionmaker[AsyncSession],
    cipher: PersonalDataCipher,
    sources_file: Path,
    entries: Sequence[m.QuarantinedRecord],
    actor: str,
) -> Replayed:
    try:
        return await _replay(sessionmaker, cipher, sources_file, entries, actor)
    except ConnectorError as error:
        raise QuarantineRefused(str(error)) from None


async def _replay(
    sessionmaker: async_sessionmaker[AsyncSession],
    cipher: PersonalDataCipher,
    sources_file: Path,
    entries: Sequence[m.QuarantinedRecord],
    actor: str,
) -> Replayed:
    closed = [str(entry.id) for entry in entries if entry.resolved_at is not None]
    if closed:
        raise QuarantineRefused(f"already resolved, so not replayed: {', '.join(closed)}")
    configured = {source.name: source for source in load_sources(sources_file)}
    engine = sessionmaker.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    outcomes = await replay_by_source(engine, configured, cipher, entries, actor)
    failed = next((o.run for o in outcomes if o.run.status is not m.SyncStatus.SUCCEEDED), None)
    if failed is not None:
        raise QuarantineRefused(f"{failed.source} / {failed.stream}: {failed.error}")
    async with sessionmaker() as session:
        after = await entries_by_id(session, [entry.id for entry in entries])
    return Replayed(
        sum(len(outcome.stored) for outcome in outcomes),
        sum(len(outcome.refused_again) for outcome in outcomes),
        sum(len(outcome.replaced) for outcome in outcomes),
        after,
    )


async def dismiss_entries(
    sessionmaker: async_sessionmaker[AsyncSession],
    entries: Sequence[m.QuarantinedRecord],
    note: str,
    actor: str,
) -> list[m.QuarantinedRecord]:
    closed = [str(entry.id) for entry in entries if entry.resolved_at is not None]
    if closed:
        raise QuarantineRefused(f"already resolved, so not dismissed: {', '.join(closed)}")
    try:
        async with sessionmaker() as session, session.begin():
            await dismiss(session, entries, note, actor)
    except ConnectorError as error:
        raise QuarantineRefused(str(error)) from None
    async with sessionmaker() as session:
        return await entries_by_id(session, [entry.id for entry in entries])
