"""Practice sites (阵地) in one hierarchy, and the service platforms (服务平台) they host."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, DivisionCode, ProvenanceMixin, enum_column, intpk, provenance_constraints

__all__ = ["Platform", "Site", "SiteKind", "SiteStatus", "site_platforms"]


class SiteKind(enum.Enum):
    PREFECTURE_CENTER = "prefecture_center"
    CENTER = "center"
    SUB_CENTER = "sub_center"
    INSTITUTE = "institute"
    STATION = "station"
    POINT = "point"
    POST = "post"


class SiteStatus(enum.Enum):
    BUILDING = "building"
    OPEN = "open"
    SUSPENDED = "suspended"


class Site(ProvenanceMixin, Base):
    """A civilization practice site of any level, from prefecture center (州/市级中心) to
    practice point (实践点) and post (实践岗)."""

    __tablename__ = "sites"
    __table_args__ = (
        *provenance_constraints(),
        CheckConstraint("floor_area_m2 IS NULL OR floor_area_m2 >= 0", name="floor_area_sign"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        Index("ix_sites_parent_kind", "parent_id", "kind"),
    )

    id: Mapped[intpk]
    kind: Mapped[SiteKind] = mapped_column(enum_column(SiteKind, "site_kind"))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    division_code: Mapped[DivisionCode] = mapped_column(
        ForeignKey("divisions.code", ondelete="RESTRICT"), index=True
    )
    is_demonstration: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[SiteStatus] = mapped_column(enum_column(SiteStatus, "site_status"))
    opened_on: Mapped[date | None] = mapped_column(Date)
    floor_area_m2: Mapped[float | None] = mapped_column(Float)


class Platform(ProvenanceMixin, Base):
    """A service platform of a center (服务平台): theory lectures, health, legal aid …"""

    __tablename__ = "platforms"
    __table_args__ = (*provenance_constraints(), UniqueConstraint("center_id", "name"))

    id: Mapped[intpk]
    center_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))


site_platforms = Table(
    "site_platforms",
    Base.metadata,
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "platform_id", ForeignKey("platforms.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)
