"""Registered volunteers (志愿者), their registrations per source, and service records."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import (
    Base,
    ProvenanceMixin,
    enum_column,
    intpk,
    provenance_constraints,
)

__all__ = ["Gender", "ServiceRecord", "Volunteer", "VolunteerRegistration"]


class Gender(enum.Enum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class Volunteer(ProvenanceMixin, Base):
    """One person registered as a volunteer in one county.

    ID number and phone are stored only encrypted (`*_sealed`); `person_key`, a keyed
    hash of the ID number, recognises the same person across registries without it.
    """

    __tablename__ = "volunteers"
    __table_args__ = (
        *provenance_constraints(),
        UniqueConstraint("county_code", "person_key"),
        CheckConstraint("service_minutes >= 0", name="service_minutes_sign"),
    )

    id: Mapped[intpk]
    # No index of its own: (county_code, person_key) serves look-ups by county, and a
    # PostgreSQL planner without statistics yet (mid-way through a first registry load)
    # took the county index to find person keys, scanning the whole county each time.
    county_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"))
    volunteer_number: Mapped[str] = mapped_column(String(32), unique=True)
    person_key: Mapped[str] = mapped_column(String(64))
    real_name: Mapped[str] = mapped_column(String(100))
    id_number_sealed: Mapped[str] = mapped_column(Text)
    phone_sealed: Mapped[str | None] = mapped_column(Text)
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, "gender"))
    political_status: Mapped[str | None] = mapped_column(String(50))
    registered_on: Mapped[date] = mapped_column(Date)
    service_minutes: Mapped[int] = mapped_column(Integer, default=0)


class VolunteerRegistration(ProvenanceMixin, Base):
    """The same person as a given registry knows them (a registration per source)."""

    __tablename__ = "volunteer_registrations"
    __table_args__ = provenance_constraints()

    id: Mapped[intpk]
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers.id", ondelete="CASCADE"), index=True
    )
    registered_on: Mapped[date | None] = mapped_column(Date)


class ServiceRecord(ProvenanceMixin, Base):
    """Hours a volunteer served (服务时长), confirmed by the organising team."""

    __tablename__ = "service_records"
    __table_args__ = (
        *provenance_constraints(),
        CheckConstraint("minutes > 0", name="minutes_positive"),
    )

    id: Mapped[intpk]
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    served_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    is_confirmed: Mapped[bool] = mapped_column(default=False)
