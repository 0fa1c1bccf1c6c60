"""The audit of personal-data reads: what one answer carried unmasked, written once per
request, and the record read back (for `wenming audit` and `personalDataReads`)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import models as m
from db.base import table_of
from db.bulk import rows_affected
from resolvers.viewer import Viewer

__all__ = [
    "PERSONAL_FIELDS",
    "PersonalReads",
    "ReadCriteria",
    "purge_reads",
    "read_statement",
    "record_reads",
]

# Per kind of object, the fields that carry personal data when unmasked.
PERSONAL_FIELDS: Mapping[str, frozenset[str]] = {
    "Volunteer": frozenset({"displayName", "realName", "idNumber", "phone"}),
    "Household": frozenset({"displayName", "headName", "address", "creditRating", "pointsAccount"}),
    "PointsAccount": frozenset({"balance", "entries"}),
    # A refused record is kept whole: names, ID numbers and phones as the source sent them.
    "QuarantinedRecord": frozenset({"rawPayload", "replayQuarantined", "dismissQuarantined"}),
}


@dataclass
class PersonalReads:
    """The objects one request showed unmasked, by kind and county."""

    shown: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))

    def note(self, kind: str, county_code: str, object_id: int) -> None:
        self.shown[kind, county_code].add(object_id)

    def __bool__(self) -> bool:
        return bool(self.shown)


async def record_reads(
    sessionmaker: async_sessionmaker[AsyncSession],
    viewer: Viewer,
    reads: PersonalReads,
    selected: Iterable[str],
    operation: str | None,
    now: datetime,
) -> int:
    """Write what the answer carried, in one statement: a row per kind and county whose
    personal fields the document selected. Returns how many rows."""
    chosen = set(selected)
    request = uuid.uuid4().hex
    rows: list[dict[str, Any]] = []
    for (kind, county), ids in sorted(reads.shown.items()):
        fields = sorted(PERSONAL_FIELDS[kind] & chosen)
        if not fields:
            continue
        rows.append(
            {
                "read_at": now,
                "request_id": request,
                "key_name": viewer.name,
                "role": viewer.role.value,
                "operation": operation[:200] if operation else None,
                "county_code": county,
                "object_type": kind,
                "object_ids": json.dumps(sorted(ids)),
                "fields": json.dumps(fields),
            }
        )
    if rows:
        async with sessionmaker() as session, session.begin():
            if (await session.connection()).dialect.name == "postgresql":
                # The answer need not wait for the WAL to reach the disk: a crash may
                # lose the last fraction of a second of the record, never corrupt it.
                await session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            await session.execute(insert(table_of(m.PersonalDataRead)), rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class ReadCriteria:
    since: datetime | None = None
    key_name: str | None = None
    county_code: str | None = None


def read_statement(criteria: ReadCriteria) -> Select[Any]:
    """The record, newest first, narrowed by time, key and county."""
    reads = m.PersonalDataRead
    statement = select(reads)
    if criteria.since is not None:
        statement = statement.where(reads.read_at >= criteria.since)
    if criteria.key_name is not None:
        statement = statement.where(reads.key_name == criteria.key_name)
    if criteria.county_code is not None:
        statement = statement.where(reads.county_code == criteria.county_code)
    return statement


async def purge_reads(
    sessionmaker: async_sessionmaker[AsyncSession], retention: timedelta, now: datetime
) -> int:
    """Delete what is older than the retention; how many rows."""
    async with sessionmaker() as session, session.begin():
        result = await session.execute(
            delete(m.PersonalDataRead).where(m.PersonalDataRead.read_at < now - retention)
        )
    return rows_affected(result)
