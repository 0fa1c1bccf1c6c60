"""The root Query type."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.context import Context
from schema.divisions import Division

__all__ = ["Query"]


@strawberry.type
class Query:
    @strawberry.field(description='A division by its national code, e.g. "522601".')
    async def division(self, info: Info[Context, None], code: str) -> Division | None:
        row = await info.context.loaders.division_by_code.load(code)
        return Division.from_row(row) if row else None
