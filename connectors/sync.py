"""The sync runner: the one path from outside data into the database.

For each stream of a connector it reads raw records from the saved cursor on, maps them
(pure), writes them in batches with provenance, and commits each batch together with
the new cursor. A record that breaks a rule is quarantined with its raw payload and a
reason. Every record read is stored (inserted, updated or unchanged) or quarantined,
and the counts say so. A failure rolls back the open batch only: the next run goes on
from the last commit. Records missing from a full snapshot are marked retired.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from connectors.base import Connector, Mapped, RawRecord, Rejection, Stream
from connectors.collection import collecting_less
from connectors.conflicts import write_batch
from connectors.errors import ConnectorError, FatalConnectorError
from connectors.holders import holder_is_gone, this_holder
from connectors.mapping import MappedRecords, Mapper
from connectors.writing import Outcome
from db import models as m
from db.base import table_of
from db.bulk import rows_affected
from db.engine import create_sessionmaker
from db.rollup import mark_rollup_owed, refresh_if_owed

logger = logging.getLogger("wenming.sync")

__all__ = [
    "BATCH_SIZE",
    "MAX_SHRINK",
    "DivisionsMissingError",
    "SnapshotShrankError",
    "SourceBusyError",
    "StreamResult",
    "SyncInterrupted",
    "SyncRunner",
]

Progress = Callable[[str, int], None]

# Records per transaction. Fewer, larger commits write a table's indexes out fewer times
# (200,000 volunteers loaded a fifth faster in batches of 10,000 than of 2,000); a failed
# run loses at most one batch of work, which the next run reads again.
BATCH_SIZE = 5_000
# A snapshot may retire at most this share of a source's records without --accept-shrink,
# unless it retires no more than SHRINK_FLOOR (a small register losing a few rows).
MAX_SHRINK = 0.2
SHRINK_FLOOR = 10


class SnapshotShrankError(FatalConnectorError):
    """A snapshot would retire more of a source's records than a register loses at once."""

    def __init__(self, source: str, stream: str, kept: int, vanishing: int, share: float) -> None:
        super().__init__(
            f"{source}/{stream}: held back: this file no longer holds {vanishing:,} of the "
            f"{kept + vanishing:,} records the last complete one held "
            f"({vanishing / (kept + vanishing):.0%}, more than {share:.0%}); nothing was "
            "retired. If the register really shrank, run the sync again with --accept-shrink; "
            "if not, export the file again in full"
        )


class DivisionsMissingError(FatalConnectorError):
    """Everything a source holds lies in a division: the division codes come first."""

    def __init__(self, county: str | None) -> None:
        if county is None:
            problem = "no division codes are imported yet"
        else:
            problem = (
                f"county {county} is not among the imported division codes (is `county` "
                "of this source in wenming.toml right?)"
            )
        super().__init__(
            f"{problem}; import the division codes first: wenming divisions import DIR "
            "(the folder of the public 统计用区划代码 files)"
        )


class SyncInterrupted(ConnectorError):
    """The sync was asked to stop (SIGTERM, Ctrl-C) and stopped at a batch boundary."""

    def __init__(self) -> None:
        super().__init__(
            "stopped on request after its last committed batch; run the sync again to go on "
            "from there"
        )


class SourceBusyError(FatalConnectorError):
    """Another sync of the same source is running."""

    def __init__(self, source: str, holder: str, since: datetime, until: datetime) -> None:
        super().__init__(
            f"source {source!r} is being synced by {holder} since {since:%Y-%m-%d %H:%M} UTC; "
            f"wait for it to finish (if that process died, its lock lapses at {until:%H:%M} UTC)"
        )


@dataclass
class StreamResult:
    source: str
    stream: str
    run_id: int
    status: m.SyncStatus
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    retired: int = 0
    error: str | None = None

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


@dataclass
class _SnapshotCursor:
    """Where a snapshot read stands: which snapshot, how many records (in the order the
    connector reads them) are committed, and when it began (rows not seen since then are
    retired when it completes)."""

    key: str
    done: int = 0
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    complete: bool = False

    @classmethod
    def load(cls, text: str | None, key: str, now: datetime) -> _SnapshotCursor:
        if text:
            saved = json.loads(text)
            if saved.get("key") == key and not saved.get("complete"):
                return cls(key, int(saved["done"]), saved["started"])
        return cls(key, 0, now.isoformat())

    def dump(self) -> str:
        return json.dumps(
            {
                "key": self.key,
                "done": self.done,
                "started": self.started,
                "complete": self.complete,
            }
        )


@dataclass
class _Pass:
    """One stream's run in progress: what is deferred and where the read stands."""

    connector: Connector
    stream: Stream
    result: StreamResult
    snapshot: _SnapshotCursor | None
    cursor: str | None
    deferred: list[tuple[int, RawRecord]] = field(default_factory=list)
    read_up_to: int = 0
    cache: dict[str, Any] = field(default_factory=dict)
    # Tables this run inserted into, and its inserted count when they were last analyzed.
    grown: set[str] = field(default_factory=set)
    analyzed_at: int = 0
    # The batch read last, being mapped while the one before it is written.
    in_flight: tuple[list[tuple[int, RawRecord]], asyncio.Future[MappedRecords]] | None = None
    # A replay's records stand at their quarantine ids; these are the rows they came from.
    rows: Mapping[int, int | None] | None = None
    refused: set[int] = field(default_factory=set)

    def advance(self, batch: list[tuple[int, RawRecord]], *, final: bool) -> str | None:
        """The cursor to save after `batch`: as far as read, but never past a record
        still deferred."""
        if not final:
            self.read_up_to = max(self.read_up_to, max(ordinal for ordinal, _ in batch))
            for _, record in batch:
                if record.cursor and (self.cursor is None or record.cursor > self.cursor):
                    self.cursor = record.cursor
        if self.snapshot is not None:
            first_waiting = min((ordinal for ordinal, _ in self.deferred), default=None)
            self.snapshot.done = self.read_up_to if first_waiting is None else first_waiting - 1
            return self.snapshot.dump()
        waiting = [record.cursor for _, record in self.deferred if record.cursor]
        return min([*waiting, self.cursor]) if waiting and self.cursor else self.cursor


class SyncRunner:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        batch_size: int = BATCH_SIZE,
        mapping_process_after: int | None = 5_000,
        analyze_after: int | None = 5_000,
        lock_lease: timedelta = timedelta(minutes=10),
        county_code: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_shrink: float = MAX_SHRINK,
        accept_shrink: bool = False,
    ) -> None:
        self._engine = engine
        self._sessionmaker = create_sessionmaker(engine)
        self._batch_size = batch_size
        self._mapping_process_after = mapping_process_after
        self._analyze_after = analyze_after
        self._lease = lock_lease
        self._county = county_code
        self._clock = clock
        self._holder = this_holder()
        self._max_shrink = max_shrink
        self._accept_shrink = accept_shrink
        self._stop_requested = False

    def request_stop(self) -> None:
        """Stop at the next batch boundary: what is committed stays, the lock is
        released and the run ends `interrupted` (what SIGTERM and Ctrl-C ask for)."""
        self._stop_requested = True

    async def sync(
        self,
        connector: Connector,
        *,
        streams: Sequence[str] | None = None,
        progress: Progress | None = None,
        refresh: bool = True,
    ) -> list[StreamResult]:
        """Sync the connector's streams (all, or those named), one after the other."""
        chosen = [
            stream for stream in connector.streams if streams is None or stream.name in streams
        ]
        await self._acquire(connector.system)
        try:
            results = []
            with collecting_less():
                for stream in chosen:
                    result = await self._stream(connector, stream, progress)
                    results.append(result)
                    if result.status is not m.SyncStatus.SUCCEEDED:
                        break
        finally:
            await self._release(connector.system)
        if refresh:
            # Also what a sync stopped before its refresh left owed, even if this one
            # changed nothing.
            await refresh_if_owed(self._engine)
        return results

    async def replay(
        self,
        connector: Connector,
        stream: Stream,
        records: Sequence[RawRecord],
        rows: Mapping[int, int | None],
    ) -> tuple[StreamResult, set[int]]:
        """Map and write records held in quarantine once more, under the connector's
        rules of today. Each record stands at its quarantine id, `rows` says which row
        it came from. One final pass: nothing is deferred, no cursor moves, nothing is
        retired. Returns the run and the quarantine ids refused again."""
        await self._acquire(connector.system)
        try:
            result, _ = await self._open_run(connector, stream)
            state = _Pass(connector, stream, result, None, None, rows=rows)
            mapper = Mapper(connector, stream, None)
            try:
                await self._check_divisions()
                for start in range(0, len(records), self._batch_size):
                    chunk = [(r.position, r) for r in records[start : start + self._batch_size]]
                    mapped = await mapper.submit([record for _, record in chunk])
                    await self._commit(state, chunk, mapped, final=True)
                result.status = m.SyncStatus.SUCCEEDED
            except (ConnectorError, OSError, IntegrityError) as error:
                result.status, result.error = m.SyncStatus.FAILED, _describe(error)
            finally:
                await mapper.close()
            await self._finish(result)
        finally:
            await self._release(connector.system)
        await refresh_if_owed(self._engine)
        return result, state.refused

    async def _open_run(
        self, connector: Connector, stream: Stream
    ) -> tuple[StreamResult, m.SyncCursor | None]:
        """A new run of the stream, `running`, and the stream's saved cursor."""
        now = self._clock()
        async with self._sessionmaker() as session, session.begin():
            run = m.SyncRun(
                source=connector.system,
                stream=stream.name,
                county_code=self._county,
                status=m.SyncStatus.RUNNING,
                started_at=now,
                records_read=0,
                inserted=0,
                updated=0,
                unchanged=0,
                quarantined=0,
                retired=0,
            )
            session.add(run)
            await session.flush()
            saved = await session.get(m.SyncCursor, (connector.system, stream.name))
        return StreamResult(connector.system, stream.name, run.id, m.SyncStatus.RUNNING), saved

    async def _stream(
        self, connector: Connector, stream: Stream, progress: Progress | None
    ) -> StreamResult:
        now = self._clock()
        result, saved = await self._open_run(connector, stream)
        batch: list[tuple[int, RawRecord]] = []
        mapper = Mapper(connector, stream, self._mapping_process_after)
        try:
            # Inside the run: a source that cannot be read at all (a missing file) fails it.
            await self._check_divisions()
            snapshot_key = connector.snapshot_key(stream)
            snapshot = (
                _SnapshotCursor.load(saved.cursor if saved else None, snapshot_key, now)
                if snapshot_key
                else None
            )
            cursor = None if snapshot else (saved.cursor if saved else None)
            state = _Pass(connector, stream, result, snapshot, cursor)
            ordinal = 0
            records = aiter(connector.read(stream, cursor))
            while True:
                try:
                    record = await anext(records)
                except StopAsyncIteration:
                    break
                except (ConnectorError, OSError):
                    # What was read before the source failed is kept.
                    await self._write_ahead(state, mapper, None)
                    raise
                ordinal += 1
                if snapshot is not None and ordinal <= snapshot.done:
                    continue  # committed by the run that failed before this one
                batch.append((ordinal, record))
                if len(batch) >= self._batch_size:
                    await self._write_ahead(state, mapper, batch)
                    batch = []
                    if self._stop_requested:
                        raise SyncInterrupted()
                    if progress:
                        progress(stream.name, result.read)
            await self._write_ahead(state, mapper, batch or None)
            await self._write_ahead(state, mapper, None)
            # Records that named one read later in the stream are tried once more; what
            # still points nowhere is quarantined.
            waiting = state.deferred
            while waiting:
                chunk, waiting = waiting[: self._batch_size], waiting[self._batch_size :]
                state.deferred = list(waiting)  # those still to do hold the cursor back
                mapped = await mapper.submit([record for _, record in chunk])
                await self._commit(state, chunk, mapped, final=True)
            if snapshot is not None:
                await self._complete_snapshot(connector, stream, snapshot, result)
        except SyncInterrupted as error:
            result.status, result.error = m.SyncStatus.INTERRUPTED, str(error)
            await self._finish(result)
            return result
        except (ConnectorError, OSError, IntegrityError) as error:
            result.status, result.error = m.SyncStatus.FAILED, _describe(error)
            await self._finish(result)
            return result
        finally:
            await mapper.close()
        if progress:
            progress(stream.name, result.read)
        result.status = m.SyncStatus.SUCCEEDED
        await self._finish(result)
        return result

    async def _check_divisions(self) -> None:
        """Refuse a sync into a database without the division codes at once: each of its
        records would be refused by the database, one by one."""
        async with self._sessionmaker() as session:
            if await session.scalar(select(m.Division.code).limit(1)) is None:
                raise DivisionsMissingError(None)
            if self._county and await session.get(m.Division, self._county) is None:
                raise DivisionsMissingError(self._county)

    async def _write_ahead(
        self, state: _Pass, mapper: Mapper, batch: list[tuple[int, RawRecord]] | None
    ) -> None:
        """Start mapping `batch` (None: nothing more to read), then write the batch mapped
        before it: the mapping of one overlaps the writing of the other."""
        ahead = (batch, mapper.submit([record for _, record in batch])) if batch else None
        behind, state.in_flight = state.in_flight, ahead
        if behind is not None:
            written, mapped = behind
            await self._commit(state, written, await mapped, final=False)

    async def _commit(
        self,
        state: _Pass,
        batch: list[tuple[int, RawRecord]],
        mapped_records: MappedRecords,
        *,
        final: bool,
    ) -> None:
        """Write one batch and move the cursor, in one transaction. A record whose
        reference is not known yet is deferred (unless this is the final pass), and the
        saved cursor never passes a deferred record, so a crash cannot lose it."""
        connector, stream, result = state.connector, state.stream, state.result
        counts = StreamResult(result.source, result.stream, result.run_id, result.status)
        now = self._clock()
        mapped: list[tuple[int, list[Mapped]]] = []
        rejected: list[tuple[RawRecord, Rejection]] = []
        for (_, record), records in zip(batch, mapped_records, strict=True):
            if isinstance(records, Rejection):
                rejected.append((record, records))
            else:
                mapped.append((record.position, records))
        async with self._sessionmaker() as session, session.begin():
            # First: on SQLite this write opens the transaction, so that the batch's
            # savepoint nests inside it rather than becoming the transaction itself.
            await self._renew(session, connector.system, now)
            written = await write_batch(
                session, connector.system, now, state.cache, mapped, snapshot=stream.snapshot
            )
            outcome = written.result
            state.grown.update(written.inserted_into)
            by_position = {record.position: (ordinal, record) for ordinal, record in batch}
            for position, reason in outcome.unresolved.items():
                if final:
                    rejected.append((by_position[position][1], Rejection(reason)))
                else:
                    state.deferred.append(by_position[position])
            for position, rejection in outcome.refused.items():
                rejected.append((by_position[position][1], rejection))
            state.refused.update(record.position for record, _ in rejected)
            await self._quarantine(session, state, rejected, now)
            counts.quarantined += len(rejected)
            for position, _ in mapped:
                if position not in outcome.unresolved and position not in outcome.refused:
                    counts.count(_overall(outcome.outcomes.get(position, [])))
            counts.read = len(batch) - (0 if final else len(outcome.unresolved))
            saved_cursor = state.advance(batch, final=final)
            if saved_cursor is not None:
                await session.merge(
                    m.SyncCursor(
                        source=connector.system,
                        stream=stream.name,
                        cursor=saved_cursor,
                        updated_at=now,
                    )
                )
            if counts.inserted or counts.updated:
                await mark_rollup_owed(session, now)
            for name in ("read", "inserted", "updated", "unchanged", "quarantined"):
                setattr(result, name, getattr(result, name) + getattr(counts, name))
            await session.execute(
                update(m.SyncRun)
                .where(m.SyncRun.id == result.run_id)
                .values(
                    records_read=result.read,
                    inserted=result.inserted,
                    updated=result.updated,
                    unchanged=result.unchanged,
                    quarantined=result.quarantined,
                    cursor=saved_cursor,
                )
            )
        logger.info(
            "sync batch",
            extra={
                "source": result.source,
                "stream": result.stream,
                "run": result.run_id,
                "read": counts.read,
                "inserted": counts.inserted,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "quarantined": counts.quarantined,
            },
        )
        await self._refresh_statistics(state)

    async def _refresh_statistics(self, state: _Pass) -> None:
        """On PostgreSQL, statistics follow a table a sync keeps growing (a first registry
        load): planning on the statistics of an empty table, PostgreSQL looked person
        keys up by county alone and read the whole county for every batch."""
        if self._engine.dialect.name != "postgresql" or self._analyze_after is None:
            return
        if state.result.inserted < max(self._analyze_after, 2 * state.analyzed_at):
            return
        async with self._engine.begin() as connection:
            for table in sorted(state.grown):
                await connection.exec_driver_sql(f'ANALYZE "{table}"')
        state.analyzed_at = state.result.inserted

    async def _quarantine(
        self,
        session: AsyncSession,
        state: _Pass,
        rejected: list[tuple[RawRecord, Rejection]],
        now: datetime,
    ) -> None:
        """Keep each refused record with its reason. One refused before and not yet
        resolved or dismissed (the same payload, the same reason) is that entry seen
        again: an unchanged file read again does not grow the quarantine."""
        if not rejected:
            return
        connector, stream, run_id = state.connector, state.stream, state.result.run_id
        entries: dict[str, tuple[RawRecord, Rejection, str]] = {}
        for record, rejection in rejected:
            payload = json.dumps(dict(record.payload), ensure_ascii=False, default=str)
            digest = hashlib.sha256(f"{rejection.reason}\0{payload}".encode()).hexdigest()
            entries.setdefault(digest, (record, rejection, payload))
        table = table_of(m.QuarantinedRecord)
        # A record a steward dismissed stays dismissed when the source sends it again.
        open_here = (
            table.c.source == connector.system,
            table.c.stream == stream.name,
            or_(
                table.c.resolved_at.is_(None),
                table.c.resolution == m.QuarantineResolution.DISMISSED.value,
            ),
        )
        known = set(
            await session.scalars(
                select(table.c.payload_hash).where(
                    *open_here, table.c.payload_hash.in_(list(entries))
                )
            )
        )
        if known:
            await session.execute(
                update(table)
                .where(*open_here, table.c.payload_hash.in_(list(known)))
                .values(times_seen=table.c.times_seen + 1, last_seen_at=now, sync_run_id=run_id)
            )
        session.add_all(
            m.QuarantinedRecord(
                sync_run_id=run_id,
                source=connector.system,
                stream=stream.name,
                county_code=self._county,
                source_id=None,
                row_number=state.rows.get(record.position) if state.rows else record.position,
                column_name=rejection.column,
                reason=rejection.reason,
                quarantined_at=now,
                raw_payload=payload,
                payload_hash=digest,
                times_seen=1,
                last_seen_at=now,
            )
            for digest, (record, rejection, payload) in entries.items()
            if digest not in known
        )

    async def _complete_snapshot(
        self, connector: Connector, stream: Stream, snapshot: _SnapshotCursor, result: StreamResult
    ) -> None:
        """Retire what the snapshot no longer holds, and mark the snapshot read whole."""
        started = datetime.fromisoformat(snapshot.started)
        now = self._clock()
        async with self._sessionmaker() as session, session.begin():
            if not self._accept_shrink:
                await self._check_shrink(session, connector.system, stream.name, started)
            for model in _STREAM_MODELS.get(stream.name, ()):
                table = table_of(model)
                retired = await session.execute(
                    update(table)
                    .where(
                        table.c.source_system == connector.system,
                        table.c.retired_at.is_(None),
                        table.c.last_seen_at < started,
                    )
                    .values(retired_at=now)
                )
                if model is not m.VolunteerRegistration:
                    result.retired += rows_affected(retired)
            if stream.name == "volunteers":
                result.retired += await _retire_unregistered(session, connector.system, now)
            if result.retired:
                await mark_rollup_owed(session, now)
            snapshot.complete = True
            await session.merge(
                m.SyncCursor(
                    source=connector.system,
                    stream=stream.name,
                    cursor=snapshot.dump(),
                    updated_at=now,
                )
            )

    async def _check_shrink(
        self, session: AsyncSession, system: str, stream: str, started: datetime
    ) -> None:
        """Refuse to retire a large share of a source's records at once: a register that
        loses a fifth of its rows overnight is far likelier a partial export."""
        for model in _STREAM_MODELS.get(stream, ()):
            table = table_of(model)
            active = table.c.source_system == system, table.c.retired_at.is_(None)
            vanishing_rows = table.c.last_seen_at < started
            counts = (
                await session.execute(
                    select(
                        func.count().filter(vanishing_rows), func.count().filter(~vanishing_rows)
                    ).where(*active)
                )
            ).one()
            vanishing, kept = int(counts[0]), int(counts[1])
            total = vanishing + kept
            if vanishing > SHRINK_FLOOR and vanishing > self._max_shrink * total:
                raise SnapshotShrankError(system, stream, kept, vanishing, self._max_shrink)

    async def _finish(self, result: StreamResult) -> None:
        if result.status is m.SyncStatus.SUCCEEDED:
            total = result.inserted + result.updated + result.unchanged + result.quarantined
            if total != result.read:
                result.status = m.SyncStatus.FAILED
                result.error = f"counts do not add up: read {result.read}, accounted for {total}"
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(m.SyncRun)
                .where(m.SyncRun.id == result.run_id)
                .values(
                    status=result.status,
                    finished_at=self._clock(),
                    error=result.error,
                    records_read=result.read,
                    inserted=result.inserted,
                    updated=result.updated,
                    unchanged=result.unchanged,
                    quarantined=result.quarantined,
                    retired=result.retired,
                )
            )

    async def _acquire(self, source: str) -> None:
        """Take the source's lock. A lock held by a process that is gone (on this host)
        or whose lease lapsed is taken over, and the runs it left `running` are marked
        abandoned; two runners racing for a free lock see one of them refused cleanly."""
        now = self._clock()
        try:
            async with self._sessionmaker() as session, session.begin():
                lock = await session.get(m.SyncLock, source, with_for_update=True)
                if (
                    lock is not None
                    and lock.expires_at > now
                    and lock.holder != self._holder
                    and not holder_is_gone(lock.holder)
                ):
                    raise SourceBusyError(source, lock.holder, lock.acquired_at, lock.expires_at)
                if lock is None:
                    session.add(
                        m.SyncLock(
                            source=source,
                            holder=self._holder,
                            acquired_at=now,
                            expires_at=now + self._lease,
                        )
                    )
                else:
                    lock.holder, lock.acquired_at, lock.expires_at = (
                        self._holder,
                        now,
                        now + self._lease,
                    )
                # Holding the lock, no other run of this source can be going on.
                await _abandon_runs(
                    session, source, now, "the process running it stopped before it finished"
                )
        except IntegrityError:
            # Another runner inserted the free lock first (SQLite has no row lock to wait on).
            async with self._sessionmaker() as session:
                lock = await session.get(m.SyncLock, source)
            if lock is None:
                raise
            raise SourceBusyError(source, lock.holder, lock.acquired_at, lock.expires_at) from None

    async def unlock(self, source: str) -> str | None:
        """Release a source's lock whoever holds it (`wenming unlock`, for a holder on
        another machine known to be gone), marking the runs it left abandoned; the
        holder it had, or None if it was not locked."""
        now = self._clock()
        async with self._sessionmaker() as session, session.begin():
            lock = await session.get(m.SyncLock, source, with_for_update=True)
            if lock is None:
                return None
            holder = lock.holder
            await session.delete(lock)
            await _abandon_runs(session, source, now, f"unlocked by hand from {holder}")
        return holder

    async def _renew(self, session: AsyncSession, source: str, now: datetime) -> None:
        await session.execute(
            update(m.SyncLock)
            .where(m.SyncLock.source == source, m.SyncLock.holder == self._holder)
            .values(expires_at=now + self._lease)
        )

    async def _release(self, source: str) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                delete(m.SyncLock).where(
                    m.SyncLock.source == source, m.SyncLock.holder == self._holder
                )
            )


async def _abandon_runs(session: AsyncSession, source: str, now: datetime, why: str) -> None:
    """End the source's runs still marked running: their process is known to be gone."""
    await session.execute(
        update(m.SyncRun)
        .where(m.SyncRun.source == source, m.SyncRun.status == m.SyncStatus.RUNNING)
        .values(status=m.SyncStatus.ABANDONED, finished_at=now, error=f"abandoned: {why}")
    )


# The tables a stream's snapshot covers (for retiring what vanished from it).
_STREAM_MODELS: dict[str, tuple[type[Any], ...]] = {
    "sites": (m.Site,),
    "teams": (m.Team,),
    "volunteers": (m.VolunteerRegistration,),
}


async def _retire_unregistered(session: AsyncSession, system: str, now: datetime) -> int:
    """A volunteer is retired when every registry that knew them has dropped them."""
    registrations, volunteers = table_of(m.VolunteerRegistration), table_of(m.Volunteer)
    own = registrations.c.volunteer_id == volunteers.c.id
    # EXISTS, not IN: PostgreSQL ran `id NOT IN (subquery)` as a nested loop once the
    # subquery outgrew work_mem, which took more than eight minutes at 596,000 volunteers.
    known_here = select(1).where(own, registrations.c.source_system == system).exists()
    registered = select(1).where(own, registrations.c.retired_at.is_(None)).exists()
    retired = await session.execute(
        update(volunteers)
        .where(volunteers.c.retired_at.is_(None), known_here, ~registered)
        .values(retired_at=now)
    )
    return rows_affected(retired)


def _overall(outcomes: list[Outcome]) -> Outcome:
    """A raw record that became several rows counts once: inserted if anything was new,
    updated if anything changed, else unchanged."""
    if Outcome.INSERTED in outcomes:
        return Outcome.INSERTED
    if Outcome.UPDATED in outcomes:
        return Outcome.UPDATED
    return Outcome.UNCHANGED


def _describe(error: BaseException) -> str:
    if isinstance(error, IntegrityError):
        return "the database refused a batch (a constraint failed); nothing of that batch was kept"
    return str(error) or type(error).__name__
