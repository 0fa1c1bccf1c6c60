"""Administrative divisions in GraphQL."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from db.models import Division as DivisionRow
from db.models import DivisionLevel as DivisionLevelRow
from resolvers.context import Context

__all__ = ["Division", "DivisionLevel"]

DivisionLevel = strawberry.enum(DivisionLevelRow, name="DivisionLevel")


@strawberry.type(description="An administrative division by its national code (区划代码).")
class Division:
    code: str = strawberry.field(description="6-digit GB/T 2260 or 12-digit statistics code.")
    name: str
    level: DivisionLevel  # type: ignore[valid-type]
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: DivisionRow) -> Division:
        return cls(code=row.code, name=row.name, level=row.level, parent_code=row.parent_code)

    @strawberry.field
    async def parent(
        self, info: Info[Context, None]
    ) -> Annotated[Division, strawberry.lazy("schema.divisions")] | None:
        if self.parent_code is None:
            return None
        row = await info.context.loaders.division_by_code.load(self.parent_code)
        return Division.from_row(row) if row else None
