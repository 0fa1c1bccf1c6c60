"""Sync runs and quarantined source records (staff only)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db import models as m
from schema.enums import QuarantineResolution, SyncStatus
from schema.info import Info
from schema.relay import Node, encode_global_id

__all__ = ["QuarantinedRecord", "SyncRun"]


@strawberry.type(description="One run of one connector stream, with its counts.")
class SyncRun(Node):
    source: str
    stream: str
    county_code: str | None
    status: SyncStatus  # type: ignore[valid-type]
    started_at: datetime
    finished_at: datetime | None
    records_read: int
    inserted: int
    updated: int
    unchanged: int
    quarantined: int
    retired: int
    error: str | None

    @classmethod
    def from_row(cls, row: m.SyncRun) -> SyncRun:
        return cls(
            id=encode_global_id("SyncRun", row.id),
            source=row.source,
            stream=row.stream,
            county_code=row.county_code,
            status=row.status,
            started_at=row.started_at,
            finished_at=row.finished_at,
            records_read=row.records_read,
            inserted=row.inserted,
            updated=row.updated,
            unchanged=row.unchanged,
            quarantined=row.quarantined,
            retired=row.retired,
            error=row.error,
        )


@strawberry.type(description="A source record the hub refused, kept whole with the reason.")
class QuarantinedRecord(Node):
    source: str
    stream: str
    county_code: str | None
    source_id: str | None
    row_number: int | None
    column_name: str | None
    reason: str
    raw_payload: str
    quarantined_at: datetime
    resolved_at: datetime | None
    times_seen: int = strawberry.field(
        description="Runs that refused this same record (an unchanged file read again)."
    )
    last_seen_at: datetime | None
    resolution: QuarantineResolution | None = strawberry.field(  # type: ignore[valid-type]
        description="How it left the quarantine (null while it is held)."
    )
    resolved_by: str | None = strawberry.field(description="Who resolved it: a key or a login.")
    note: str | None = strawberry.field(description="Why it was dismissed.")

    @classmethod
    def shown(cls, info: Info, row: m.QuarantinedRecord) -> QuarantinedRecord:
        """A refused record is kept whole, personal data and all: showing it is audited."""
        info.context.reads.note("QuarantinedRecord", row.county_code or "", row.id)
        return cls.from_row(row)

    @classmethod
    def from_row(cls, row: m.QuarantinedRecord) -> QuarantinedRecord:
        return cls(
            id=encode_global_id("QuarantinedRecord", row.id),
            source=row.source,
            stream=row.stream,
            county_code=row.county_code,
            source_id=row.source_id,
            row_number=row.row_number,
            column_name=row.column_name,
            reason=row.reason,
            raw_payload=row.raw_payload,
            quarantined_at=row.quarantined_at,
            resolved_at=row.resolved_at,
            times_seen=row.times_seen,
            last_seen_at=row.last_seen_at or row.quarantined_at,
            resolution=m.QuarantineResolution(row.resolution) if row.resolution else None,
            resolved_by=row.resolved_by,
            note=row.note,
        )
