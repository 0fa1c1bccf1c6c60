"""The order-style workflow (点单): menu items, service orders and their event logs."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db import models as m
from resolvers import relations
from schema.enums import OrderEventKind, OrderStatus
from schema.info import Info
from schema.provenance import Provenance
from schema.refs import PlatformRef, SiteRef, TeamRef
from schema.relay import Node, encode_global_id, related

__all__ = ["Funding", "MenuItem", "OrderEvent", "ServiceOrder"]


@strawberry.type(description="A service residents can order from a center's menu (菜单).")
class MenuItem(Node):
    name: str
    description: str | None
    is_active: bool
    row: strawberry.Private[m.MenuItem]

    @classmethod
    def from_row(cls, row: m.MenuItem) -> MenuItem:
        return cls(
            id=encode_global_id("MenuItem", row.id),
            name=row.name,
            description=row.description,
            is_active=row.is_active,
            row=row,
        )

    @strawberry.field
    async def center(self, info: Info) -> SiteRef:
        from schema.sites import site_from_row

        row = await info.context.loaders.row(m.Site.id).load(self.row.center_id)
        return site_from_row(row)

    @strawberry.field
    async def platform(self, info: Info) -> PlatformRef | None:
        from schema.sites import Platform

        return await related(info, m.Platform.id, self.row.platform_id, Platform.from_row)


@strawberry.type(description="Public money that paid for an order (财政买单).")
class Funding:
    amount_yuan: float
    source: str | None
    funded_at: datetime | None


@strawberry.type(description="One entry of an order's append-only log.")
class OrderEvent:
    sequence: int
    kind: OrderEventKind  # type: ignore[valid-type]
    occurred_at: datetime
    actor: str | None
    note: str | None

    @classmethod
    def from_row(cls, row: m.OrderEvent) -> OrderEvent:
        return cls(
            sequence=row.sequence,
            kind=row.kind,
            occurred_at=row.occurred_at,
            actor=row.actor,
            note=row.note,
        )


@strawberry.type(
    description="A resident's order (点单): ordered → dispatched → accepted → "
    "delivered → rated, or cancelled."
)
class ServiceOrder(Node):
    status: OrderStatus  # type: ignore[valid-type]
    ordered_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    delivered_at: datetime | None
    rated_at: datetime | None
    cancelled_at: datetime | None
    funding: Funding | None
    row: strawberry.Private[m.ServiceOrder]

    @classmethod
    def from_row(cls, row: m.ServiceOrder) -> ServiceOrder:
        funding = (
            Funding(
                amount_yuan=row.funding_fen / 100,
                source=row.funding_source,
                funded_at=row.funded_at,
            )
            if row.funding_fen is not None
            else None
        )
        return cls(
            id=encode_global_id("ServiceOrder", row.id),
            status=row.status,
            ordered_at=row.ordered_at,
            dispatched_at=row.dispatched_at,
            accepted_at=row.accepted_at,
            delivered_at=row.delivered_at,
            rated_at=row.rated_at,
            cancelled_at=row.cancelled_at,
            funding=funding,
            row=row,
        )

    @strawberry.field(
        description="The resident's rating, 1 to 5 (评单): the resident's own opinion, so "
        "only staff of the county see it; others see it in `average_rating`, which hides "
        "small groups (null for them, as for an order not yet rated)."
    )
    def rating(self, info: Info) -> int | None:
        if not info.context.viewer.covers_county(self.row.county_code):
            return None
        return self.row.rating

    @strawberry.field(description="The station (or site) where it was ordered.")
    async def site(self, info: Info) -> SiteRef:
        from schema.sites import site_from_row

        row = await info.context.loaders.row(m.Site.id).load(self.row.site_id)
        return site_from_row(row)

    @strawberry.field
    async def menu_item(self, info: Info) -> MenuItem | None:
        return await related(info, m.MenuItem.id, self.row.menu_item_id, MenuItem.from_row)

    @strawberry.field(description="The team that accepted it (接单).")
    async def team(self, info: Info) -> TeamRef | None:
        from schema.teams import Team

        return await related(info, m.Team.id, self.row.team_id, Team.from_row)

    @strawberry.field
    async def events(self, info: Info) -> list[OrderEvent]:
        rows = await info.context.loaders.all(relations.EVENTS_OF_ORDER).load(self.row.id)
        return [OrderEvent.from_row(row) for row in rows]

    @strawberry.field
    def provenance(self) -> Provenance:
        return Provenance.from_row(self.row)
