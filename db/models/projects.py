"""Volunteer service projects (志愿服务项目), their awards, and held activities (活动)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
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

__all__ = ["Activity", "Award", "AwardLevel", "Project", "activity_teams", "project_teams"]


class AwardLevel(enum.Enum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"
    COUNTY = "county"


class Project(ProvenanceMixin, Base):
    """A named service, often a brand project (品牌项目) such as 马背宣讲."""

    __tablename__ = "projects"
    __table_args__ = provenance_constraints()

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[CountyCode] = mapped_column(ForeignKey("divisions.code"))
    is_brand: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str | None] = mapped_column(Text)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platforms.id", ondelete="SET NULL"), index=True
    )
    started_on: Mapped[date | None] = mapped_column(Date)


project_teams = Table(
    "project_teams",
    Base.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Award(ProvenanceMixin, Base):
    """A prize a project won (e.g. the national youth volunteer project contest)."""

    __tablename__ = "awards"
    __table_args__ = (
        *provenance_constraints(),
        UniqueConstraint("project_id", "name", "year"),
        CheckConstraint("year BETWEEN 1990 AND 2100", name="year_range"),
    )

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[AwardLevel] = mapped_column(enum_column(AwardLevel, "award_level"))
    year: Mapped[int] = mapped_column(Integer)


class Activity(ProvenanceMixin, Base):
    """One held session of a project at a site (活动)."""

    __tablename__ = "activities"
    __table_args__ = (
        *provenance_constraints(),
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
        CheckConstraint(
            "volunteer_count >= 0 AND volunteer_minutes >= 0 AND people_served >= 0",
            name="counts_sign",
        ),
        Index("ix_activities_site_starts", "site_id", "starts_at"),
    )

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(300))
    county_code: Mapped[CountyCode] = mapped_column(ForeignKey("divisions.code"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    volunteer_count: Mapped[int] = mapped_column(Integer, default=0)
    volunteer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    people_served: Mapped[int] = mapped_column(Integer, default=0)


activity_teams = Table(
    "activity_teams",
    Base.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True),
)
