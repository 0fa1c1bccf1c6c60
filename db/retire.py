"""Retirement: rows whose source record vanished from a full snapshot are marked, never deleted."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import ProvenanceMixin
from db.bulk import rows_affected

__all__ = ["retire_missing"]


async def retire_missing(
    session: AsyncSession,
    model: type[ProvenanceMixin],
    source_system: str,
    seen_source_ids: Collection[str],
    at: datetime,
) -> int:
    """Mark every live row of `source_system` whose source id was not seen as retired at
    `at`; rows seen again are live once more. Returns how many rows were retired."""
    table = model.__table__  # type: ignore[attr-defined]
    seen = list(seen_source_ids)
    revived = update(table).where(
        table.c.source_system == source_system,
        table.c.retired_at.is_not(None),
        table.c.source_id.in_(seen),
    )
    await session.execute(revived.values(retired_at=None))
    retired = await session.execute(
        update(table)
        .where(
            table.c.source_system == source_system,
            table.c.retired_at.is_(None),
            table.c.source_id.not_in(seen),
        )
        .values(retired_at=at)
    )
    return rows_affected(retired)
