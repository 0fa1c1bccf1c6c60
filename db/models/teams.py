"""Volunteer teams (志愿服务队), nested from the county brigade down to village teams."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import (
    Base,
    CountyCode,
    ProvenanceMixin,
    enum_column,
    intpk,
    provenance_constraints,
)

__all__ = ["Team", "TeamKind", "TeamMembership"]


class TeamKind(enum.Enum):
    GENERAL_BRIGADE = "general_brigade"
    PROFESSIONAL = "professional"
    DETACHMENT = "detachment"
    VILLAGE = "village"
    SOCIAL_ORGANIZATION = "social_organization"
    OTHER = "other"


class Team(ProvenanceMixin, Base):
    """A volunteer service team: general brigade (总队), professional team (专业队),
    township detachment (支队), village team, or a social organisation that joined."""

    __tablename__ = "teams"
    __table_args__ = (
        *provenance_constraints(),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TeamKind] = mapped_column(enum_column(TeamKind, "team_kind"))
    county_code: Mapped[CountyCode] = mapped_column(ForeignKey("divisions.code"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="RESTRICT"), index=True
    )
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platforms.id", ondelete="SET NULL"), index=True
    )
    home_site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="SET NULL"), index=True
    )
    founded_on: Mapped[date | None] = mapped_column(Date)


class TeamMembership(Base):
    """A volunteer's membership of a team."""

    __tablename__ = "team_memberships"
    __table_args__ = (UniqueConstraint("team_id", "volunteer_id"),)

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers.id", ondelete="CASCADE"), index=True
    )
    joined_on: Mapped[date | None] = mapped_column(Date)
    is_core: Mapped[bool] = mapped_column(default=False)
