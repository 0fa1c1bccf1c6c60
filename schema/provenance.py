"""Where a merged object came from."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db.base import ProvenanceMixin

__all__ = ["Provenance"]


@strawberry.type(description="The source record a merged object came from.")
class Provenance:
    system: str
    source_id: str
    first_seen_at: datetime
    last_seen_at: datetime
    retired_at: datetime | None = strawberry.field(
        description="When the record vanished from a full snapshot of its source."
    )

    @classmethod
    def from_row(cls, row: ProvenanceMixin) -> Provenance:
        return cls(
            system=row.source_system,
            source_id=row.source_id,
            first_seen_at=row.first_seen_at,
            last_seen_at=row.last_seen_at,
            retired_at=row.retired_at,
        )
