"""The steward's loop over quarantine (隔离区): held records listed, exported in the
source's own columns for a clerk to correct, replayed under today's rules and
configuration (as held, or as corrected), or dismissed with a note.

A replay goes through the same runner as a sync, so a replayed record is stored with
the source's provenance exactly as if the source had sent it right; it moves no cursor
and retires nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from connectors.base import Connector, RawRecord
from connectors.config import SourceConfig, build_connector
from connectors.errors import FatalConnectorError
from connectors.files import read_table
from connectors.normalise import header_key
from connectors.sync import StreamResult, SyncRunner
from db import models as m
from db.bulk import rows_affected
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher

__all__ = [
    "ID_COLUMN",
    "QuarantineError",
    "ReplayOutcome",
    "Sheet",
    "dismiss",
    "held",
    "read_corrections",
    "replay",
    "replay_by_source",
    "sheets",
]

# The columns an export puts before the source's own; the first is what a corrected
# file is matched back by.
ID_COLUMN = "隔离编号"
ROW_COLUMN = "原行号"
REASON_COLUMN = "隔离原因"


class QuarantineError(FatalConnectorError):
    """A quarantine command asked for something that cannot be done as asked."""


@dataclass(frozen=True, slots=True)
class Sheet:
    """One stream's held records as a table: the export's columns, then the source's."""

    source: str
    stream: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass(slots=True)
class ReplayOutcome:
    run: StreamResult
    stored: list[int] = field(default_factory=list)
    refused_again: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)


async def held(
    session: AsyncSession,
    *,
    ids: Sequence[int] = (),
    source: str | None = None,
    stream: str | None = None,
    include_resolved: bool = False,
    scope: ColumnElement[bool] | None = None,
) -> list[m.QuarantinedRecord]:
    """The quarantined records asked for, oldest first."""
    record = m.QuarantinedRecord
    conditions: list[ColumnElement[bool]] = []
    if ids:
        conditions.append(record.id.in_(list(ids)))
    if source:
        conditions.append(record.source == source)
    if stream:
        conditions.append(record.stream == stream)
    if not include_resolved:
        conditions.append(record.resolved_at.is_(None))
    if scope is not None:
        conditions.append(scope)
    rows = (await session.scalars(select(record).where(*conditions).order_by(record.id))).all()
    found = {row.id for row in rows}
    missing = [str(key) for key in ids if key not in found]
    if missing:
        raise QuarantineError(
            f"no {'' if include_resolved else 'open '}quarantined record has the id "
            f"{', '.join(missing)} (`wenming quarantine list` shows them)"
        )
    return list(rows)


def _payload(entry: m.QuarantinedRecord) -> dict[str, Any]:
    value = json.loads(entry.raw_payload)
    return value if isinstance(value, dict) else {"value": value}


def sheets(entries: Iterable[m.QuarantinedRecord]) -> list[Sheet]:
    """The entries as one table per source and stream, in the source's own columns (in
    the order the source gave them); nested values as JSON text."""
    grouped: dict[tuple[str, str], list[m.QuarantinedRecord]] = {}
    for entry in entries:
        grouped.setdefault((entry.source, entry.stream), []).append(entry)
    tables = []
    for (source, stream), group in grouped.items():
        payloads = [_payload(entry) for entry in group]
        columns = list(dict.fromkeys(key for payload in payloads for key in payload))
        rows = [
            [entry.id, entry.row_number, entry.reason, *(_cell(payload.get(c)) for c in columns)]
            for entry, payload in zip(group, payloads, strict=True)
        ]
        tables.append(Sheet(source, stream, [ID_COLUMN, ROW_COLUMN, REASON_COLUMN, *columns], rows))
    return tables


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def read_corrections(path: Path) -> dict[int, dict[str, Any]]:
    """A corrected export: {quarantine id: its row in the source's columns, as written}."""
    corrected: dict[int, dict[str, Any]] = {}
    for number, row in read_table(path, [ID_COLUMN]):
        key = row.get(header_key(ID_COLUMN))
        try:
            corrected[int(str(key).strip())] = row
        except ValueError:
            raise QuarantineError(
                f"{path}, row {number}: {ID_COLUMN} {key!r} is not a quarantine id; "
                "correct the other columns of an export, not that one"
            ) from None
    return corrected


def _corrected(entry: m.QuarantinedRecord, row: Mapping[str, Any]) -> dict[str, Any]:
    """The held payload with the corrected file's cells in its place, key for key."""
    payload = _payload(entry)
    for key, before in payload.items():
        column = header_key(key)
        if column not in row:
            continue
        value = row[column]
        if _as_text(value) == _as_text(before):
            continue  # a cell the round trip through a spreadsheet retyped, not changed
        if isinstance(before, dict | list) and isinstance(value, str):
            # Not JSON any more: the source's mapping then says what is wrong with it.
            with suppress(ValueError):
                value = json.loads(value)
        payload[key] = value
    return payload


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


async def replay(
    engine: AsyncEngine,
    connector: Connector,
    entries: Sequence[m.QuarantinedRecord],
    actor: str,
    corrections: Mapping[int, Mapping[str, Any]] | None = None,
) -> list[ReplayOutcome]:
    """Map and write `entries` (all of `connector`'s source) once more, stream by stream:
    those stored are resolved `replayed`; those refused again stay (or, corrected and
    refused for a new reason, are `replaced` by the new entry)."""
    corrections = corrections or {}
    unknown = set(corrections) - {entry.id for entry in entries}
    if unknown:
        raise QuarantineError(
            f"the corrected file names quarantine ids that are not open for this source: "
            f"{', '.join(map(str, sorted(unknown)))}"
        )
    streams = {stream.name: stream for stream in connector.streams}
    outcomes = []
    for name in dict.fromkeys(entry.stream for entry in entries):
        if name not in streams:
            raise QuarantineError(
                f"source {connector.system!r} no longer reads a stream {name!r}; "
                "dismiss those records instead"
            )
        group = [entry for entry in entries if entry.stream == name]
        records = [
            RawRecord(
                _corrected(entry, corrections[entry.id])
                if entry.id in corrections
                else _payload(entry),
                entry.id,
            )
            for entry in group
        ]
        runner = SyncRunner(engine, county_code=group[0].county_code)
        run, refused = await runner.replay(
            connector, streams[name], records, {entry.id: entry.row_number for entry in group}
        )
        outcome = ReplayOutcome(run)
        if run.status is m.SyncStatus.SUCCEEDED:
            await _settle(engine, outcome, group, refused, actor)
        outcomes.append(outcome)
    return outcomes


async def replay_by_source(
    engine: AsyncEngine,
    sources: Mapping[str, SourceConfig],
    cipher: PersonalDataCipher,
    entries: Sequence[m.QuarantinedRecord],
    actor: str,
    corrections: Mapping[int, Mapping[str, Any]] | None = None,
) -> list[ReplayOutcome]:
    """Replay `entries` of each source with its connector as configured today (`sources`
    by name), corrected rows in place of the held ones where given."""
    corrections = corrections or {}
    outcomes: list[ReplayOutcome] = []
    for name in dict.fromkeys(entry.source for entry in entries):
        if name not in sources:
            raise QuarantineError(
                f"source {name!r} is not in the hub's sources file, whose settings a replay "
                "maps with; add it back there, or dismiss its records"
            )
        connector = build_connector(sources[name], cipher)
        try:
            mine = [entry for entry in entries if entry.source == name]
            fixed = {entry.id: corrections[entry.id] for entry in mine if entry.id in corrections}
            outcomes += await replay(engine, connector, mine, actor, fixed)
        finally:
            await connector.close()
    return outcomes


async def _settle(
    engine: AsyncEngine,
    outcome: ReplayOutcome,
    group: Sequence[m.QuarantinedRecord],
    refused: set[int],
    actor: str,
) -> None:
    now = datetime.now(UTC)
    record = m.QuarantinedRecord
    async with create_sessionmaker(engine)() as session, session.begin():
        # A record refused again as it was is that entry seen again, by this run.
        seen_again = set(
            await session.scalars(
                select(record.id).where(
                    record.id.in_(list(refused)), record.sync_run_id == outcome.run.run_id
                )
            )
        )
        for entry in group:
            if entry.id not in refused:
                outcome.stored.append(entry.id)
            elif entry.id in seen_again:
                outcome.refused_again.append(entry.id)
            else:
                outcome.replaced.append(entry.id)
        for ids, resolution in (
            (outcome.stored, m.QuarantineResolution.REPLAYED),
            (outcome.replaced, m.QuarantineResolution.REPLACED),
        ):
            if ids:
                await session.execute(
                    update(record)
                    .where(record.id.in_(ids))
                    .values(resolved_at=now, resolution=resolution.value, resolved_by=actor)
                )


async def dismiss(
    session: AsyncSession, entries: Sequence[m.QuarantinedRecord], note: str, actor: str
) -> int:
    """Let the entries go, saying why; the record stays, resolved, for the history."""
    if not note.strip():
        raise QuarantineError("say why in a note: a dismissed record is gone from the review")
    result = await session.execute(
        update(m.QuarantinedRecord)
        .where(
            m.QuarantinedRecord.id.in_([entry.id for entry in entries]),
            m.QuarantinedRecord.resolved_at.is_(None),
        )
        .values(
            resolved_at=datetime.now(UTC),
            resolution=m.QuarantineResolution.DISMISSED.value,
            resolved_by=actor,
            note=note.strip(),
        )
    )
    return rows_affected(result)
