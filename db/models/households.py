"""Households (户/家庭), their honours and credit ratings."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import (
    Base,
    CountyCode,
    DivisionCode,
    ProvenanceMixin,
    enum_column,
    intpk,
    provenance_constraints,
)

__all__ = ["CreditRating", "HonourLevel", "Household", "HouseholdHonour"]


class HonourLevel(enum.Enum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"
    COUNTY = "county"


class Household(ProvenanceMixin, Base):
    """A household in a village or community, known by its county and household number."""

    __tablename__ = "households"
    __table_args__ = (
        *provenance_constraints(),
        UniqueConstraint("county_code", "household_number"),
    )

    id: Mapped[intpk]
    county_code: Mapped[CountyCode] = mapped_column(ForeignKey("divisions.code"))
    household_number: Mapped[str] = mapped_column(String(64))
    division_code: Mapped[DivisionCode] = mapped_column(
        ForeignKey("divisions.code", ondelete="RESTRICT"), index=True
    )
    head_name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))


class HouseholdHonour(ProvenanceMixin, Base):
    """A title a household holds (文明家庭, 最美家庭) at some level for some year."""

    __tablename__ = "household_honours"
    __table_args__ = (
        *provenance_constraints(),
        UniqueConstraint("household_id", "title", "level", "year"),
        CheckConstraint("year BETWEEN 1990 AND 2100", name="year_range"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(50))
    level: Mapped[HonourLevel] = mapped_column(enum_column(HonourLevel, "honour_level"))
    year: Mapped[int] = mapped_column(Integer)


class CreditRating(ProvenanceMixin, Base):
    """A civic-credit rating (文明信用户) and the credit line a bank granted (授信)."""

    __tablename__ = "credit_ratings"
    __table_args__ = (
        *provenance_constraints(),
        UniqueConstraint("household_id", "rated_on", "bank_name"),
        CheckConstraint("credit_line_yuan >= 0", name="credit_line_sign"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    grade: Mapped[str] = mapped_column(String(8))
    credit_line_yuan: Mapped[int] = mapped_column(BigInteger)
    rated_on: Mapped[date] = mapped_column(Date)
    bank_name: Mapped[str] = mapped_column(String(100))
