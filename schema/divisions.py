"""Administrative divisions (行政区划)."""

from __future__ import annotations

import strawberry

from db import models as m
from resolvers import relations
from schema.enums import DivisionLevel
from schema.info import Info
from schema.refs import SiteRef
from schema.relay import Connection, Node, connection, encode_global_id, related, related_page

__all__ = ["Division"]


@strawberry.type(description="An administrative division by its national code (区划代码).")
class Division(Node):
    code: str = strawberry.field(description="6-digit GB/T 2260 or 12-digit statistics code.")
    name: str
    level: DivisionLevel  # type: ignore[valid-type]
    population: int | None = strawberry.field(description="Residents, where the data has it.")
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: m.Division) -> Division:
        return cls(
            id=encode_global_id("Division", row.code),
            code=row.code,
            name=row.name,
            level=row.level,
            population=row.population,
            parent_code=row.parent_code,
        )

    @strawberry.field
    async def parent(self, info: Info) -> Division | None:
        return await related(info, m.Division.code, self.parent_code, Division.from_row)

    @strawberry.field(description="The divisions directly below this one.")
    async def children(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Division]:
        page = await related_page(info, relations.CHILD_DIVISIONS, self.code, first, after)
        return connection(page, Division.from_row)

    @strawberry.field(description="Sites located in exactly this division.")
    async def sites(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[SiteRef]:
        from schema.sites import site_from_row

        page = await related_page(info, relations.SITES_OF_DIVISION, self.code, first, after)
        return connection(page, site_from_row)


async def division_of(info: Info, code: str) -> Division:
    """The division a row points at (its foreign key guarantees it exists)."""
    row = await info.context.loaders.row(m.Division.code).load(code)
    return Division.from_row(row)
