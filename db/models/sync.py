"""Sync runs of the connectors and the records they could not accept."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, enum_column, intpk

__all__ = [
    "QuarantineResolution",
    "QuarantinedRecord",
    "SyncCursor",
    "SyncLock",
    "SyncRun",
    "SyncStatus",
]


class SyncStatus(enum.Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    # The process running it stopped (killed, or the machine went down) before the end.
    ABANDONED = "abandoned"
    # Stopped on request (SIGTERM, Ctrl-C) at a batch boundary, its work committed.
    INTERRUPTED = "interrupted"


class QuarantineResolution(enum.Enum):
    """How a quarantined record left the quarantine."""

    # Replayed and stored (the rules changed, or the clerk corrected it).
    REPLAYED = "replayed"
    # Replayed corrected, refused for another reason: a new entry holds it now.
    REPLACED = "replaced"
    # Looked at and let go, with a note saying why.
    DISMISSED = "dismissed"


class SyncRun(Base):
    """One run of one connector stream, with its cursor and counts."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        CheckConstraint(
            "status <> 'succeeded' OR records_read = inserted + updated + unchanged + quarantined",
            name="counts_add_up",
        ),
        CheckConstraint(
            "records_read >= 0 AND inserted >= 0 AND updated >= 0 AND unchanged >= 0"
            " AND quarantined >= 0 AND retired >= 0",
            name="counts_sign",
        ),
    )

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(100), index=True)
    stream: Mapped[str] = mapped_column(String(100))
    county_code: Mapped[str | None] = mapped_column(String(6))
    status: Mapped[SyncStatus] = mapped_column(enum_column(SyncStatus, "sync_status"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    cursor: Mapped[str | None] = mapped_column(Text)
    records_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class QuarantinedRecord(Base):
    """A source record the hub refused, kept whole with a reason a clerk can act on.
    The same record refused again (an unchanged file read again) is this entry seen
    again, not a new one."""

    __tablename__ = "quarantined_records"
    __table_args__ = (Index("ix_quarantined_records_identity", "source", "stream", "payload_hash"),)

    id: Mapped[intpk]
    sync_run_id: Mapped[int] = mapped_column(
        ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(100), index=True)
    stream: Mapped[str] = mapped_column(String(100))
    county_code: Mapped[str | None] = mapped_column(String(6))
    source_id: Mapped[str | None] = mapped_column(String(128))
    row_number: Mapped[int | None] = mapped_column(Integer)
    column_name: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    raw_payload: Mapped[str] = mapped_column(Text)
    quarantined_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # SHA-256 of the raw payload and the reason: what makes two refusals the same one.
    payload_hash: Mapped[str | None] = mapped_column(String(64))
    times_seen: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_seen_at: Mapped[datetime | None]
    # A QuarantineResolution's value once resolved, who resolved it, and their note.
    resolution: Mapped[str | None] = mapped_column(String(20))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class SyncCursor(Base):
    """Where a stream of a source stands: saved with every committed batch, so that a run
    that fails goes on from its last commit the next time."""

    __tablename__ = "sync_cursors"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    stream: Mapped[str] = mapped_column(String(100), primary_key=True)
    cursor: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class SyncLock(Base):
    """A source being synced. The holder renews it every batch; a lock left by a process
    that died expires and may be taken over."""

    __tablename__ = "sync_locks"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]
