"""Administrative divisions (行政区划): the natural key for everything located."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, DivisionCode, enum_column

__all__ = ["Division", "DivisionLevel"]


class DivisionLevel(enum.Enum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


class Division(Base):
    """A division by its national code (区划代码): GB/T 2260 six digits for county and
    above, the statistics bureau's twelve digits for townships and villages."""

    __tablename__ = "divisions"
    __table_args__ = (
        CheckConstraint("length(code) IN (6, 12)", name="code_length"),
        CheckConstraint("population IS NULL OR population >= 0", name="population_sign"),
    )

    code: Mapped[DivisionCode] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[DivisionLevel] = mapped_column(enum_column(DivisionLevel, "division_level"))
    parent_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("divisions.code", ondelete="RESTRICT"), index=True
    )
    population: Mapped[int | None] = mapped_column(Integer)
