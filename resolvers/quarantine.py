"""Replaying and dismissing quarantined records for a GraphQL caller: the same loop as
`wenming quarantine`, with the source's configuration read from the hub's sources file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.config import build_connector, load_sources
from connectors.errors import ConnectorError
from connectors.quarantine import dismiss, replay
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
    stored = refused_again = replaced = 0
    for name in dict.fromkeys(entry.source for entry in entries):
        if name not in configured:
            raise QuarantineRefused(
                f"source {name!r} is not in the hub's sources file, whose settings a replay "
                "maps with; ask the hub's operator to add it back, or dismiss its records"
            )
        connector = build_connector(configured[name], cipher)
        try:
            mine = [entry for entry in entries if entry.source == name]
            for outcome in await replay(engine, connector, mine, actor):
                if outcome.run.status is not m.SyncStatus.SUCCEEDED:
                    raise QuarantineRefused(f"{name} / {outcome.run.stream}: {outcome.run.error}")
                stored += len(outcome.stored)
                refused_again += len(outcome.refused_again)
                replaced += len(outcome.replaced)
        finally:
            await connector.close()
    async with sessionmaker() as session:
        after = await entries_by_id(session, [entry.id for entry in entries])
    return Replayed(stored, refused_again, replaced, after)


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
