"""Administrative divisions (行政区划): the natural key for everything located."""

from __future__ import annotations

import enum
import re

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, DivisionCode, enum_column

__all__ = ["DIVISION_CODE", "Division", "DivisionLevel", "significant_prefix"]


DIVISION_CODE = re.compile(r"\d{6}(\d{6})?")


def significant_prefix(code: str) -> str:
    """The part of a code its descendants share: 520000 → 52, 520600 → 5206,
    522601 → 522601, 522601001000 → 522601001."""
    if len(code) == 12:
        village = code[9:]
        return code if village != "000" else code[:9]
    stripped = code.rstrip("0")
    for length in (2, 4, 6):
        if len(stripped) <= length:
            return code[:length]
    return code


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
    # The public code list stops at townships. A village a site register names under a
    # known township is added from that register, and keeps which source named it.
    named_by: Mapped[str | None] = mapped_column(String(100))
