"""The data's shape, for the cost estimate: the most rows any one parent holds through
each bounded relation (institutes per center, stations per institute, divisions per
division …), read from the database now and then.

A document asking for `first: 100` stations of each of 100 institutes can return at most
100 × (the most stations any institute has): the estimate (`schema.limits`) multiplies
by that, not by 100, so that the county tree at 100 × 100 is measured near what it
returns. Between two readings a sync may add rows; each bound keeps a quarter more than
the largest list seen, and the request deadline still stops what the estimate missed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers import relations
from resolvers.compiled import PAGES, SITE_TYPES
from resolvers.relations import Relation

__all__ = ["BOUNDED", "DataShape"]

# Connection fields (GraphQL type, field) over relations whose lists are short and whose
# tables are small enough to count in full: the pages the compiled path reads (sites,
# divisions, teams), a division's sites and a site's teams.
BOUNDED: Mapping[tuple[str, str], Relation] = {
    **{key: relation for key, (relation, _) in PAGES.items()},
    ("Division", "sites"): relations.SITES_OF_DIVISION,
    **{(name, "teams"): relations.TEAMS_OF_SITE for name in SITE_TYPES},
}


def _bound(largest: int) -> int:
    return largest + largest // 4 + 1


@dataclass
class DataShape:
    """Bounds per connection field, and a version that changes when they do (the
    estimate's cache is keyed by it)."""

    bounds: dict[tuple[str, str], int] = field(default_factory=dict)
    version: int = 0

    def bound(self, type_name: str, field_name: str) -> int | None:
        return self.bounds.get((type_name, field_name))

    async def refresh(self, engine: AsyncEngine) -> None:
        """Read the largest list of every bounded relation (one statement each)."""
        largest: dict[str, int] = {}
        async with engine.connect() as connection:
            for relation in dict.fromkeys(BOUNDED.values()):
                per_parent = (
                    relation.statement()
                    .with_only_columns(
                        relation.partition.label("parent"),
                        func.count().label("rows"),
                        maintain_column_froms=True,
                    )
                    .group_by(relation.partition)
                    .subquery()
                )
                found = await connection.scalar(select(func.max(per_parent.c.rows)))
                largest[relation.name] = int(found or 0)
        bounds = {key: _bound(largest[relation.name]) for key, relation in BOUNDED.items()}
        if bounds != self.bounds:
            self.bounds = bounds
            self.version += 1
