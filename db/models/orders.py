"""The order-style workflow (点单式服务): menu, service orders and their event log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import (
    Base,
    CountyCode,
    ProvenanceMixin,
    enum_column,
    intpk,
    provenance_constraints,
)

__all__ = ["MenuItem", "OrderEvent", "OrderEventKind", "OrderStatus", "ServiceOrder"]


class OrderStatus(enum.Enum):
    ORDERED = "ordered"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    RATED = "rated"
    CANCELLED = "cancelled"


class OrderEventKind(enum.Enum):
    ORDERED = "ordered"
    FUNDED = "funded"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    RATED = "rated"
    CANCELLED = "cancelled"
    URGED = "urged"
    NOTE = "note"


class MenuItem(ProvenanceMixin, Base):
    """A service residents can order from a center's menu (菜单)."""

    __tablename__ = "menu_items"
    __table_args__ = provenance_constraints()

    id: Mapped[intpk]
    center_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(default=True)


class ServiceOrder(ProvenanceMixin, Base):
    """A resident's order (点单), moving ordered → dispatched → accepted → delivered →
    rated, or cancelled; some counties fund it first (财政买单)."""

    __tablename__ = "service_orders"
    __table_args__ = (
        *provenance_constraints(),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint(
            "(status <> 'rated') OR (rating IS NOT NULL AND rated_at IS NOT NULL)",
            name="rated_has_rating",
        ),
        CheckConstraint(
            "(status NOT IN ('dispatched', 'accepted', 'delivered', 'rated'))"
            " OR dispatched_at IS NOT NULL",
            name="dispatched_has_instant",
        ),
        CheckConstraint(
            "(status NOT IN ('accepted', 'delivered', 'rated')) OR accepted_at IS NOT NULL",
            name="accepted_has_instant",
        ),
        CheckConstraint(
            "(status NOT IN ('delivered', 'rated')) OR delivered_at IS NOT NULL",
            name="delivered_has_instant",
        ),
        CheckConstraint(
            "(status <> 'cancelled') OR cancelled_at IS NOT NULL", name="cancelled_has_instant"
        ),
        CheckConstraint(
            "dispatched_at IS NULL OR dispatched_at >= ordered_at", name="dispatch_after_order"
        ),
        CheckConstraint("funding_fen IS NULL OR funding_fen >= 0", name="funding_sign"),
        Index("ix_service_orders_county_status", "county_code", "status"),
    )

    id: Mapped[intpk]
    county_code: Mapped[CountyCode] = mapped_column(ForeignKey("divisions.code"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    menu_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("menu_items.id", ondelete="SET NULL"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, "order_status"))
    ordered_at: Mapped[datetime]
    funded_at: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    rated_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    rating: Mapped[int | None] = mapped_column(Integer)
    funding_fen: Mapped[int | None] = mapped_column(BigInteger)
    funding_source: Mapped[str | None] = mapped_column(String(200))


class OrderEvent(Base):
    """One entry in an order's append-only log: a step, an urge (催单) or a note."""

    __tablename__ = "order_events"
    __table_args__ = (UniqueConstraint("order_id", "sequence"),)

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("service_orders.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[OrderEventKind] = mapped_column(enum_column(OrderEventKind, "order_event_kind"))
    occurred_at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
